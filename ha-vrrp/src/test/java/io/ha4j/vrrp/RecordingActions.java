package io.ha4j.vrrp;

import java.util.ArrayList;
import java.util.List;

/** Records a state machine's actions as strings: {@code advert 100}, {@code add-vips}, {@code state BACKUP->MASTER}. */
final class RecordingActions implements VrrpActions {

    final List<String> log = new ArrayList<>();

    @Override
    public void sendAdvert(int priority) {
        log.add("advert " + priority);
    }

    @Override
    public void addVips() {
        log.add("add-vips");
    }

    @Override
    public void removeVips() {
        log.add("remove-vips");
    }

    @Override
    public void vipsLeaving() {
        log.add("leaving");
    }

    @Override
    public void vipsReleased(boolean newMasterHeard) {
        log.add(newMasterHeard ? "released (new master heard)" : "released (none heard)");
    }

    @Override
    public void announce(int repeat) {
        log.add("garp " + repeat);
    }

    @Override
    public void answerSuppressed(int priority) {
        log.add("suppressed " + priority);
    }

    @Override
    public void stateChanged(VrrpState from, VrrpState to, String reason) {
        log.add("state " + from + "->" + to);
    }

    List<String> take() {
        List<String> copy = List.copyOf(log);
        log.clear();
        return copy;
    }
}
