package io.ha4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryVipManagerTest {

    private final InMemoryVipManager vips = new InMemoryVipManager();
    private final VirtualAddress a = VirtualAddress.parse("198.18.0.100/24", "eth0");
    private final VirtualAddress b = VirtualAddress.parse("fd00::100/64", "eth0");
    private final VirtualAddress c = VirtualAddress.parse("198.18.1.100", "eth1");

    @Test
    void addIsIdempotent() {
        vips.add(a);
        vips.add(a);
        vips.add(a.withLabel("eth0:vip"));
        assertEquals(List.of(a), vips.list("eth0"));
        assertEquals(Set.of(a), vips.managed());
        assertTrue(vips.isPresent(a));
    }

    @Test
    void listIsPerInterfaceInAddOrder() {
        vips.add(b);
        vips.add(a);
        vips.add(c);
        assertEquals(List.of(b, a), vips.list("eth0"));
        assertEquals(List.of(c), vips.list("eth1"));
        assertEquals(List.of(), vips.list("eth9"));
    }

    @Test
    void removingAnAbsentAddressIsFine() {
        vips.remove(a);
        vips.add(a);
        vips.remove(a);
        vips.remove(a);
        assertEquals(List.of(), vips.list("eth0"));
        assertEquals(Set.of(), vips.managed());
        assertFalse(vips.isPresent(a));
    }

    @Test
    void cleanUpRemovesLeftoversAndCountsThem() {
        vips.addExternally(a); // left behind by a crashed run
        vips.add(c);
        assertEquals(2, vips.cleanUp(List.of(a, b, c)));
        assertEquals(List.of(), vips.list("eth0"));
        assertEquals(List.of(), vips.list("eth1"));
        assertEquals(Set.of(), vips.managed());
        assertEquals(0, vips.cleanUp(List.of(a, b, c)));
    }

    @Test
    void externalRemovalIsReportedThroughTheListenerExecutor() {
        List<VirtualAddress> removed = new CopyOnWriteArrayList<>();
        AtomicInteger executed = new AtomicInteger();
        vips.addListener(removed::add, r -> {
            executed.incrementAndGet();
            r.run();
        });
        vips.add(a);
        vips.remove(a);
        assertEquals(List.of(), removed, "our own removal is not an event");
        vips.add(a);
        vips.removeExternally(a);
        vips.removeExternally(a);
        assertEquals(List.of(a), removed);
        assertEquals(4, executed.get(), "two adds, our removal and one external removal: each through the executor");
        assertFalse(vips.isPresent(a));
    }

    @Test
    void aThrowingListenerDoesNotStopOthers() {
        List<VirtualAddress> removed = new ArrayList<>();
        vips.addListener(x -> {
            throw new IllegalStateException("listener bug");
        }, Runnable::run);
        vips.addListener(removed::add, Runnable::run);
        vips.add(a);
        vips.removeExternally(a);
        assertEquals(List.of(a), removed);
    }

    @Test
    void removedListenersHearNothing() {
        List<VirtualAddress> removed = new ArrayList<>();
        VipListener listener = removed::add;
        vips.addListener(listener, Runnable::run);
        vips.removeListener(listener);
        vips.add(a);
        vips.removeExternally(a);
        assertEquals(List.of(), removed);
    }

    @Test
    void announcementsAreRecorded() {
        vips.announce(a);
        vips.announce(b);
        assertEquals(List.of(a, b), vips.announcements());
    }

    @Test
    void closedManagerRefusesChanges() {
        vips.close();
        vips.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> vips.add(a));
        assertTrue(e.getMessage().contains("closed"));
    }

    @Test
    void virtualAddressParsesKeepalivedForms() {
        assertEquals("198.18.0.100/32", VirtualAddress.parse("198.18.0.100", "eth0").cidr());
        assertEquals("fd00:0:0:0:0:0:0:100/128", VirtualAddress.parse("fd00::100", "eth0").cidr());
        assertEquals(a, VirtualAddress.parse(" 198.18.0.100/24 ", "eth0"));
        assertEquals("198.18.0.100/24 dev eth0 label eth0:vip", a.withLabel("eth0:vip").toString());
        assertTrue(b.isIpv6());
        assertFalse(a.equals(VirtualAddress.parse("198.18.0.100/24", "eth1")));
    }
}
