package io.ha4j.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.VipListener;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link VipManager} contract as tests, run against every implementation ({@code InMemoryVipManager} and
 * {@link LinuxVipManager}). A subclass says how to make a manager and how to add and remove an address "as
 * someone else".
 */
abstract class VipManagerCompatibilityKit {

    protected VipManager manager;

    /** A fresh manager on an interface that holds none of {@link #vip(int)}'s addresses. */
    protected abstract VipManager newManager() throws Exception;

    /** The interface the kit's VIPs live on. */
    protected abstract String interfaceName();

    /** Puts {@code vip} on its interface behind the manager's back (a crashed run's leftover). */
    protected abstract void addExternally(VirtualAddress vip) throws Exception;

    /** Removes {@code vip} behind the manager's back ({@code ip addr del}). */
    protected abstract void removeExternally(VirtualAddress vip) throws Exception;

    /**
     * Arranges that {@link #announced} can see the next announcement of {@code vip} (for the kernel: a peer's
     * neighbour entry for it pointing elsewhere).
     */
    protected abstract void watchAnnouncements(VirtualAddress vip) throws Exception;

    /** Whether an announcement of {@code vip} reached the segment since {@link #watchAnnouncements}. */
    protected abstract boolean announced(VirtualAddress vip) throws Exception;

    protected VirtualAddress vip(int n) {
        return VirtualAddress.parse("198.18.0." + (100 + n) + "/32", interfaceName());
    }

    protected VirtualAddress vip6(int n) {
        return VirtualAddress.parse("fe80::198:18:0:" + (100 + n) + "/64", interfaceName());
    }

    @BeforeEach
    void openManager() throws Exception {
        manager = newManager();
    }

    @AfterEach
    void closeManager() throws Exception {
        if (manager != null) {
            try {
                for (int i = 0; i < 4; i++) {
                    manager.remove(vip(i));
                    manager.remove(vip6(i));
                }
            } catch (IllegalStateException closedByTest) {
                // the test closed it; its VIPs were removed through a fresh manager below
                try (VipManager cleaner = newManager()) {
                    for (int i = 0; i < 4; i++) {
                        cleaner.remove(vip(i));
                        cleaner.remove(vip6(i));
                    }
                }
            }
            manager.close();
        }
    }

    @Test
    void testAddMakesPresentAndManaged() throws Exception {
        manager.add(vip(0));
        assertTrue(manager.isPresent(vip(0)));
        assertTrue(manager.list(interfaceName()).contains(vip(0)));
        assertEquals(Set.of(vip(0)), manager.managed());
    }

    @Test
    void testAddIsIdempotent() throws Exception {
        manager.add(vip(0));
        manager.add(vip(0));
        List<VirtualAddress> listed = manager.list(interfaceName());
        assertEquals(1, listed.stream().filter(vip(0)::equals).count(), "listed once: " + listed);
        assertEquals(Set.of(vip(0)), manager.managed());
    }

    @Test
    void testIpv6AddAndRemove() throws Exception {
        manager.add(vip6(1));
        assertTrue(manager.isPresent(vip6(1)));
        manager.remove(vip6(1));
        assertFalse(manager.isPresent(vip6(1)));
    }

    @Test
    void testRemoveOfAbsentAddressIsNoError() throws Exception {
        manager.remove(vip(1));
        manager.remove(vip6(1));
        assertFalse(manager.isPresent(vip(1)));
    }

    @Test
    void testRemoveMakesAbsentAndUnmanaged() throws Exception {
        manager.add(vip(0));
        manager.add(vip(1));
        manager.remove(vip(0));
        assertFalse(manager.isPresent(vip(0)));
        assertTrue(manager.isPresent(vip(1)));
        assertEquals(Set.of(vip(1)), manager.managed());
    }

    @Test
    void testExternalAddressesAreListedButNotManaged() throws Exception {
        addExternally(vip(2));
        assertTrue(manager.isPresent(vip(2)));
        assertTrue(manager.managed().isEmpty());
    }

    @Test
    void testCleanUpRemovesLeftoversAndCountsThem() throws Exception {
        addExternally(vip(2));
        int removed = manager.cleanUp(List.of(vip(2), vip(3)));
        assertEquals(1, removed);
        assertFalse(manager.isPresent(vip(2)));
    }

    @Test
    void testExternalRemovalOfManagedAddressNotifiesListener() throws Exception {
        BlockingQueue<VirtualAddress> removed = new LinkedBlockingQueue<>();
        manager.addListener(removed::add, Runnable::run);
        manager.add(vip(0));
        removeExternally(vip(0));
        assertEquals(vip(0), removed.poll(5, TimeUnit.SECONDS));
        assertTrue(manager.managed().contains(vip(0)), "managed() keeps what this manager added and did not remove");
        manager.remove(vip(0));
        assertTrue(manager.managed().isEmpty());
    }

    @Test
    void testOwnRemovalDoesNotNotify() throws Exception {
        BlockingQueue<VirtualAddress> removed = new LinkedBlockingQueue<>();
        manager.addListener(removed::add, Runnable::run);
        manager.add(vip(0));
        manager.add(vip(1));
        manager.remove(vip(0));
        removeExternally(vip(1));
        assertEquals(vip(1), removed.poll(5, TimeUnit.SECONDS), "the external removal is reported");
        assertNull(removed.poll(200, TimeUnit.MILLISECONDS), "our own removal is not");
    }

    @Test
    void testReleasingTellsListenersAndLeavesTheAddressInPlace() throws Exception {
        BlockingQueue<VirtualAddress> releasing = new LinkedBlockingQueue<>();
        manager.addListener(new VipListener() {
            @Override
            public void onAddressRemoved(VirtualAddress address) {
            }

            @Override
            public void onAddressReleasing(VirtualAddress address) {
                releasing.add(address);
            }
        }, Runnable::run);
        manager.add(vip(0));
        manager.releasing(vip(0));
        assertEquals(vip(0), releasing.poll(5, TimeUnit.SECONDS));
        assertTrue(manager.isPresent(vip(0)), "releasing is a notice; the address stays until remove()");
    }

    @Test
    void testOwnAddAndRemoveAreToldApartFromExternalRemoval() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        manager.addListener(new VipListener() {
            @Override
            public void onAddressRemoved(VirtualAddress address) {
                events.add("removed " + address.cidr());
            }

            @Override
            public void onAddressAdded(VirtualAddress address) {
                events.add("added " + address.cidr());
            }

            @Override
            public void onAddressReleased(VirtualAddress address) {
                events.add("released " + address.cidr());
            }
        }, Runnable::run);
        manager.add(vip(0));
        manager.add(vip(0));
        manager.remove(vip(0));
        assertEquals("added " + vip(0).cidr(), events.poll(5, TimeUnit.SECONDS));
        assertEquals("added " + vip(0).cidr(), events.poll(5, TimeUnit.SECONDS), "an add of an address already there too");
        assertEquals("released " + vip(0).cidr(), events.poll(5, TimeUnit.SECONDS), "our own removal is not 'removed'");
        assertNull(events.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void testRemovedListenerIsNotCalled() throws Exception {
        BlockingQueue<VirtualAddress> removed = new LinkedBlockingQueue<>();
        BlockingQueue<VirtualAddress> control = new LinkedBlockingQueue<>();
        VipListener listener = removed::add;
        manager.addListener(listener, Runnable::run);
        manager.addListener(control::add, Runnable::run);
        manager.removeListener(listener);
        manager.add(vip(0));
        removeExternally(vip(0));
        assertEquals(vip(0), control.poll(5, TimeUnit.SECONDS));
        assertNull(removed.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void testAnnounceOfPresentAddressReachesTheSegment() throws Exception {
        for (VirtualAddress vip : List.of(vip(0), vip6(0))) {
            manager.add(vip);
            watchAnnouncements(vip);
            assertFalse(announced(vip), "nothing announced " + vip + " yet");
            manager.announce(vip);
            Await.untilNoThrow(Duration.ofSeconds(5), "the segment saw the announcement of " + vip, () -> announced(vip));
            assertTrue(manager.isPresent(vip), "announcing leaves the address in place");
        }
    }

    @Test
    void testUseAfterCloseFailsAndCloseIsIdempotent() throws Exception {
        manager.add(vip(0));
        manager.remove(vip(0));
        manager.close();
        manager.close();
        assertThrows(IllegalStateException.class, () -> manager.add(vip(0)));
    }
}
