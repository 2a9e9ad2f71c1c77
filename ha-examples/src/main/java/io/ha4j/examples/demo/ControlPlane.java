package io.ha4j.examples.demo;

import java.util.List;
import java.util.Optional;

/**
 * Three control-plane nodes and a client, as the story drives them: real ({@link NamespaceControlPlane}:
 * network namespaces, one JVM per node, real VIP) or simulated ({@link SimulatedControlPlane}: one JVM,
 * simulated LAN, loopback balancers). Both report what happens as {@link DemoEvent}s to the timeline given
 * at construction.
 */
interface ControlPlane extends AutoCloseable {

    /** Says what this is, for the first lines of the demo's output. */
    List<String> describe();

    /** The node names, highest VRRP priority first. */
    List<String> nodes();

    /** Starts a node: its stand-in apiserver, balancer and VRRP instance. */
    void startNode(String node) throws Exception;

    /** Starts the client: GET /version through the VIP every 100 ms, and a watch held open. */
    void startClient() throws Exception;

    /** The node crashes: killed without a chance to say goodbye (no priority 0) and cut off the LAN. */
    void crash(String node) throws Exception;

    /** A crashed node comes back: reconnected to the LAN and started again. */
    void revive(String node) throws Exception;

    /** The node's apiserver begins a graceful shutdown: {@code /readyz} 503 from now on. */
    void shutDownApiserver(String node) throws Exception;

    /** The node's apiserver stops: listener closed, watches ended. */
    void stopApiserver(String node) throws Exception;

    /**
     * Who holds the VIP according to the addresses themselves ({@code ip addr} in each namespace, or the
     * simulated VIP managers), not according to what the nodes say; empty when nobody does. A crashed node is
     * left out: the VIP its process could not remove sits on a dead link.
     */
    List<String> vipHolders() throws Exception;

    /**
     * Whether the client's connections go through a real VIP (to the balancer of whichever node holds it), so that
     * a connection ends when the VIP leaves that node. False in the simulation, where the client is pointed at the
     * holder's loopback balancer and an open connection stays where it is.
     */
    default boolean clientThroughVip() {
        return true;
    }

    /** The shell command a reader can run to see the VIP on {@code node}, if there is one. */
    Optional<String> vipCommand(String node);

    /** Stops everything and removes everything that was created. Idempotent. */
    @Override
    void close();
}
