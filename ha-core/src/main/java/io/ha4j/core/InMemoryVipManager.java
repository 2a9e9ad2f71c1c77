package io.ha4j.core;

import io.ha4j.core.internal.Listeners;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A {@link VipManager} that keeps addresses in memory: for tests, for the simulated LAN, and for users who
 * run without root (where holding the "VIP" is only a fact inside the JVM). It never touches the network.
 *
 * <p>Extras for tests: {@link #removeExternally} simulates {@code ip addr del} by someone else, and
 * {@link #announcements()} lists what was announced.
 */
public final class InMemoryVipManager implements VipManager {

    private final Map<String, Set<VirtualAddress>> byInterface = new LinkedHashMap<>();
    private final Set<VirtualAddress> managed = new LinkedHashSet<>();
    private final List<VirtualAddress> announcements = new ArrayList<>();
    private final Listeners<VipListener> listeners = new Listeners<>();
    private boolean closed;

    @Override
    public void add(VirtualAddress vip) {
        synchronized (this) {
            ensureOpen();
            byInterface.computeIfAbsent(vip.interfaceName(), k -> new LinkedHashSet<>()).add(vip);
            managed.add(vip);
        }
        listeners.forEach(l -> l.onAddressAdded(vip));
    }

    @Override
    public void remove(VirtualAddress vip) {
        synchronized (this) {
            ensureOpen();
            Set<VirtualAddress> set = byInterface.get(vip.interfaceName());
            if (set != null) {
                set.remove(vip);
            }
            managed.remove(vip);
        }
        listeners.forEach(l -> l.onAddressReleased(vip));
    }

    @Override
    public synchronized List<VirtualAddress> list(String interfaceName) {
        ensureOpen();
        return List.copyOf(byInterface.getOrDefault(interfaceName, Set.of()));
    }

    @Override
    public synchronized boolean isPresent(VirtualAddress vip) {
        ensureOpen();
        return byInterface.getOrDefault(vip.interfaceName(), Set.of()).contains(vip);
    }

    @Override
    public synchronized void announce(VirtualAddress vip) {
        ensureOpen();
        announcements.add(vip);
    }

    @Override
    public synchronized Set<VirtualAddress> managed() {
        return Set.copyOf(managed);
    }

    @Override
    public synchronized int cleanUp(Collection<VirtualAddress> expected) {
        ensureOpen();
        int removed = 0;
        for (VirtualAddress vip : expected) {
            Set<VirtualAddress> set = byInterface.get(vip.interfaceName());
            if (set != null && set.remove(vip)) {
                removed++;
            }
            managed.remove(vip);
        }
        return removed;
    }

    @Override
    public void releasing(VirtualAddress vip) {
        listeners.forEach(l -> l.onAddressReleasing(vip));
    }

    @Override
    public void addListener(VipListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    @Override
    public void removeListener(VipListener listener) {
        listeners.remove(listener);
    }

    /** Puts an address on an interface as if someone else had (a leftover of a crashed run, say). */
    public synchronized void addExternally(VirtualAddress vip) {
        byInterface.computeIfAbsent(vip.interfaceName(), k -> new LinkedHashSet<>()).add(vip);
    }

    /** Removes an address as if someone else had, and tells the listeners. */
    public void removeExternally(VirtualAddress vip) {
        boolean removed;
        synchronized (this) {
            Set<VirtualAddress> set = byInterface.get(vip.interfaceName());
            removed = set != null && set.remove(vip);
        }
        if (removed) {
            listeners.forEach(l -> l.onAddressRemoved(vip));
        }
    }

    /** Every address announced so far, in order. */
    public synchronized List<VirtualAddress> announcements() {
        return List.copyOf(announcements);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("InMemoryVipManager is closed");
        }
    }
}
