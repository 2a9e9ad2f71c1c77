package io.ha4j.vrrp;

import io.ha4j.benchmarks.AbstractMicrobenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Setup;

/**
 * One step of the sans-IO VRRP state machine, the two steps that happen every advert interval in steady
 * state: {@code backupOnAdvert} (a backup receives its master's advert and re-arms its down timer) and
 * {@code masterAdvertTick} (a master's advert timer fires and it asks for an advert). The actions are no-ops
 * that count, so this is the machine alone: ns/op and zero allocation ({@code -prof gc}).
 *
 * <p>It lives in {@code io.ha4j.vrrp} (a split package on the benchmark classpath) because the state machine is
 * package-private.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar VrrpStateMachineBenchmark -prof gc -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.AverageTime)
public class VrrpStateMachineBenchmark extends AbstractMicrobenchmark {

    private static final long INTERVAL_NS = 1_000_000_000L;

    private final CountingActions backupActions = new CountingActions();
    private final CountingActions masterActions = new CountingActions();
    private final byte[] masterAddress = {(byte) 198, 18, 0, 2};
    private VrrpStateMachine backup;
    private VrrpStateMachine master;
    private long backupNow;
    private long masterNow;

    @Setup
    public void setUp() {
        VrrpStateMachine.Config config = new VrrpStateMachine.Config();
        config.priority = 100;
        backup = new VrrpStateMachine(backupActions, config);
        backup.primaryAddress(new byte[] {(byte) 198, 18, 0, 1}, 4);
        backupNow = 1_000_000L;
        backup.start(backupNow);

        VrrpStateMachine.Config owner = new VrrpStateMachine.Config();
        owner.priority = 255;
        master = new VrrpStateMachine(masterActions, owner);
        master.primaryAddress(masterAddress, 4);
        masterNow = 1_000_000L;
        master.start(masterNow);
        if (backup.state() != VrrpState.BACKUP || master.state() != VrrpState.MASTER) {
            throw new IllegalStateException("setup: backup is " + backup.state() + ", master is " + master.state());
        }
    }

    @Benchmark
    public long backupOnAdvert() {
        backupNow += INTERVAL_NS;
        backup.onAdvert(200, 100, masterAddress, 4, backupNow);
        backup.doWork(backupNow);
        return backup.nextDeadline();
    }

    @Benchmark
    public int masterAdvertTick() {
        masterNow += INTERVAL_NS;
        master.doWork(masterNow);
        return masterActions.adverts;
    }

    /** Counts what the machine asks for and does nothing else. */
    static final class CountingActions implements VrrpActions {
        int adverts;
        int changes;

        @Override
        public void sendAdvert(int priority) {
            adverts++;
        }

        @Override
        public void addVips() {
        }

        @Override
        public void removeVips() {
        }

        @Override
        public void announce(int repeat) {
        }

        @Override
        public void stateChanged(VrrpState from, VrrpState to, String reason) {
            changes++;
        }
    }
}
