package io.ha4j.netlink;

import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;

/** The compatibility kit against ha-core's in-memory manager: no root needed. */
class InMemoryVipManagerCompatibilityTest extends VipManagerCompatibilityKit {

    @Override
    protected VipManager newManager() {
        return new InMemoryVipManager();
    }

    @Override
    protected String interfaceName() {
        return "eth0";
    }

    @Override
    protected void addExternally(VirtualAddress vip) {
        ((InMemoryVipManager) manager).addExternally(vip);
    }

    @Override
    protected void removeExternally(VirtualAddress vip) {
        ((InMemoryVipManager) manager).removeExternally(vip);
    }

    private long announcedBefore;

    private long announcements(VirtualAddress vip) {
        return ((InMemoryVipManager) manager).announcements().stream().filter(vip::equals).count();
    }

    @Override
    protected void watchAnnouncements(VirtualAddress vip) {
        announcedBefore = announcements(vip);
    }

    @Override
    protected boolean announced(VirtualAddress vip) {
        return announcements(vip) > announcedBefore;
    }
}
