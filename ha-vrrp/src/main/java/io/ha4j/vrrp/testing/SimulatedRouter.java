package io.ha4j.vrrp.testing;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaEvent;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.Scheduler;
import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.vrrp.VrrpTransport;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One host on a {@link SimulatedLan}: its addresses, its own view of the scheduler (which {@link #pause()} and
 * {@link #crash()} act on), an {@link InMemoryVipManager} holding the VIPs it has, and a
 * {@link ComponentContext} to start components with. Every {@link io.ha4j.core.HaEvent} its components publish is
 * recorded in {@link #events()}.
 */
public final class SimulatedRouter {

    private final SimulatedLan lan;
    private final String name;
    private final List<InetAddress> addresses;
    private final PausableScheduler scheduler;
    private final InMemoryVipManager vipManager = new InMemoryVipManager();
    private final List<HaEvent> events = new ArrayList<>();
    private final ComponentContext context;
    private final Map<String, Boolean> linkUp = new ConcurrentHashMap<>();
    private final List<SimulatedTransport> transports = new CopyOnWriteArrayList<>();

    SimulatedRouter(SimulatedLan lan, String name, List<InetAddress> addresses, Scheduler shared, long seed) {
        this.lan = lan;
        this.name = name;
        this.addresses = List.copyOf(addresses);
        this.scheduler = new PausableScheduler(shared);
        this.context = ComponentContext.builder()
                .clusterName(name)
                .scheduler(scheduler)
                .random(new Random(seed))
                .blockingExecutor(new DirectExecutorService())
                .vipManager(vipManager)
                .events(this::record)
                .build();
    }

    public String name() {
        return name;
    }

    /** The router's address of the given family (its VRRP source address). */
    public InetAddress address(boolean ipv6) {
        for (InetAddress a : addresses) {
            if ((a instanceof Inet6Address) == ipv6) {
                return a;
            }
        }
        throw new IllegalStateException("router " + name + " has no " + (ipv6 ? "IPv6" : "IPv4") + " address");
    }

    public List<InetAddress> addresses() {
        return addresses;
    }

    /** The transport factory to give {@link io.ha4j.vrrp.VrrpInstance.Builder#transport}. */
    public VrrpTransport.Factory transport() {
        return spec -> new SimulatedTransport(lan, this, spec);
    }

    /** The context to start components of this router with (its scheduler view, VIP manager, a seeded random). */
    public ComponentContext context() {
        return context;
    }

    /** This router's scheduler view (time is the LAN's). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** The VIPs this router holds, and what it announced. */
    public InMemoryVipManager vipManager() {
        return vipManager;
    }

    /** Every event its components published, in order. */
    public synchronized List<HaEvent> events() {
        return List.copyOf(events);
    }

    /** Stops processing anything (timers, packets) until {@link #resume()}, like a long GC pause; packets queue up. */
    public void pause() {
        scheduler.pause();
    }

    /** Runs what fell due during the pause, then carries on. */
    public void resume() {
        scheduler.resume();
    }

    public boolean isPaused() {
        return scheduler.isPaused();
    }

    /**
     * Kills the router: nothing it scheduled runs any more, it sends and receives nothing, and it keeps whatever
     * VIPs it had (like a host that lost power: no priority-0 advert). Final.
     */
    public void crash() {
        scheduler.crash();
    }

    public boolean isCrashed() {
        return scheduler.isCrashed();
    }

    /**
     * Sets the link state of one of this router's interfaces, as its kernel would report it (a pulled cable, a
     * carrier loss, {@code ip link set down}). Every instance of this router that tracks the interface (its own
     * interface included) hears it through its transport, as on {@link io.ha4j.vrrp.RawSocketTransport}; an
     * instance started later sees the state at start. Interfaces are up until set otherwise. Unlike a
     * {@linkplain SimulatedLan#partition partition}, which is only noticed through missing adverts.
     */
    public void interfaceStateChanged(String interfaceName, boolean up) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        linkUp.put(interfaceName, up);
        for (SimulatedTransport t : transports) {
            t.interfaceStateChanged(interfaceName, up);
        }
    }

    /** Whether the interface is up (see {@link #interfaceStateChanged}). */
    public boolean isInterfaceUp(String interfaceName) {
        return linkUp.getOrDefault(interfaceName, true);
    }

    void started(SimulatedTransport transport) {
        transports.add(transport);
    }

    void closed(SimulatedTransport transport) {
        transports.remove(transport);
    }

    private synchronized void record(HaEvent event) {
        events.add(event);
    }

    @Override
    public String toString() {
        return "SimulatedRouter[" + name + " " + addresses + (isCrashed() ? ", crashed" : isPaused() ? ", paused" : "") + "]";
    }
}
