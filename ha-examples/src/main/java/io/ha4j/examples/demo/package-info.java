/**
 * The failover demo ({@code scripts/demo.sh}): the Kubernetes control-plane front of the seed documents built
 * from ha4j — on each of three nodes an {@link io.ha4j.core.HaCluster} with a {@link io.ha4j.proxy.TcpBalancer}
 * on {@code :7443} in front of the three kube-apiservers and a {@link io.ha4j.vrrp.VrrpInstance} for the VIP —
 * put through a crash of the master, the shutdown of an apiserver and the return of the old master, with a
 * client measuring what it sees through the VIP.
 *
 * <p>Entry points: {@link io.ha4j.examples.demo.ControlPlaneDemo} (the orchestrator),
 * {@link io.ha4j.examples.demo.DemoNode} (one node, run by the orchestrator in the node's network namespace)
 * and {@link io.ha4j.examples.demo.DemoClient} (the client, in the client namespace). Processes talk through
 * their standard streams: commands in, one tab-separated event line out per state change.
 *
 * <p>The kube-apiservers are stand-ins ({@code StandInApiServer}) that answer what a balancer and a client use:
 * {@code /readyz} (503 while shutting down), {@code /healthz}, {@code /version} and a resumable watch. Without
 * root or network namespaces the same story runs in one JVM on ha-vrrp's simulated LAN, and says so.
 */
package io.ha4j.examples.demo;
