package io.ha4j.examples.agent;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaComponent;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.proxy.Balance;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.VrrpSyncGroup;
import io.ha4j.vrrp.VrrpTransport;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeds mapped to builders, and what the built components report through their getters. */
class AgentMapperTest {

    private static final VrrpTransport.Factory NO_TRANSPORT = spec -> {
        throw new AssertionError("not started in this test: " + spec);
    };

    /** Every plan a test mapped, closed after it: a plan holds its balancers' event loop group from the start. */
    private final List<AgentPlan> plans = new ArrayList<>();

    @AfterEach
    void closePlans() {
        plans.forEach(AgentPlan::close);
    }

    private AgentPlan map(Diagnostics d, VrrpTransport.Factory transport, String keepalivedText, String haproxyText) {
        Optional<KeepalivedConfig> k = Optional.ofNullable(keepalivedText).map(t -> KeepalivedParser.parse("keepalived.conf", t, d));
        Optional<HaproxyConfig> h = Optional.ofNullable(haproxyText).map(t -> HaproxyParser.parse("haproxy.cfg", t, Map.of(), d));
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        AgentPlan plan = new AgentMapper(d, transport).map(k, h);
        plans.add(plan);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        return plan;
    }

    private static <T extends HaComponent> T component(AgentPlan plan, String name, Class<T> type) {
        return plan.components().stream().filter(c -> c.name().equals(name)).map(type::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no component " + name + " in " + plan.components()));
    }

    @Test
    void seed001Master01(@TempDir Path dir) throws Exception {
        Path check = dir.resolve("check_apiserver.sh");
        Files.writeString(check, "#!/bin/sh\nexit 0\n");
        assertTrue(check.toFile().setExecutable(true));
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, TestFiles.text("seed001-keepalived-master01.conf")
                .replace("/etc/keepalived/check_apiserver.sh", check.toString()), TestFiles.text("seed001-haproxy-example.cfg"));
        assertEquals("LVS_DEVEL", plan.clusterName());
        assertTrue(plan.needsVipManager());
        assertEquals(List.of("check_apiserver", "apiserver", "VI_1"), plan.components().stream().map(HaComponent::name).toList());

        VrrpInstance vi = component(plan, "VI_1", VrrpInstance.class);
        assertEquals("enp0s3", vi.interfaceName());
        assertEquals(51, vi.virtualRouterId());
        assertEquals(200, vi.priority());
        assertEquals(2, vi.version(), "keepalived's default version, not ha4j's");
        assertEquals(Duration.ofSeconds(1), vi.advertInterval());
        assertEquals(List.of(VirtualAddress.parse("10.0.2.100/32", "enp0s3")), vi.virtualAddresses());
        assertEquals(VrrpState.INITIALIZE, vi.state());

        HealthChecker script = component(plan, "check_apiserver", HealthChecker.class);
        assertEquals(10, script.fall());
        assertEquals(2, script.rise());

        TcpBalancer balancer = component(plan, "apiserver", TcpBalancer.class);
        assertTrue(balancer.toString().contains("ROUND_ROBIN"), balancer.toString());
        assertEquals("option ssl-hello-chk", d.warnings().stream().filter(w -> w.line() == 52).findFirst().orElseThrow().keyword());
        assertTrue(d.warnings().stream().anyMatch(w -> w.keyword().equals("timeout tunnel")), TestFiles.dump(d));
        assertTrue(d.warnings().stream().anyMatch(w -> w.keyword().equals("option redispatch")), TestFiles.dump(d));
    }

    @Test
    void aMissingScriptIsNotTrackedAsInKeepalived() {
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, TestFiles.text("seed001-keepalived-master01.conf")
                .replace("/etc/keepalived/check_apiserver.sh", "/nonexistent/h4j/check.sh"), null);
        assertEquals(List.of("VI_1"), plan.components().stream().map(HaComponent::name).toList());
        Diagnostic w = d.warnings().stream().filter(x -> x.keyword().equals("vrrp_script")).findFirst().orElseThrow();
        assertEquals(5, w.line());
        assertTrue(w.message().contains("keepalived disables tracking"), w.message());
    }

    @Test
    void seed003BothFilesWarnAboutTheVipBindTheHaproxyScriptAndTheStatsPage() {
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, TestFiles.text("seed003-keepalived-backup.conf"), TestFiles.text("seed003-haproxy.cfg"));
        assertEquals("ha-agent", plan.clusterName(), "no router_id");
        VrrpInstance vi = component(plan, "VI_1", VrrpInstance.class);
        assertEquals(100, vi.priority());
        assertEquals(List.of(VirtualAddress.parse("192.168.218.189/24", "ens33")), vi.virtualAddresses());
        component(plan, "main", TcpBalancer.class);

        Diagnostic bind = d.warnings().stream().filter(w -> w.keyword().equals("bind")).findFirst().orElseThrow(() -> new AssertionError(TestFiles.dump(d)));
        assertEquals(20, bind.line());
        assertTrue(bind.message().contains("ip_nonlocal_bind"), bind.message());
        Diagnostic script = d.warnings().stream().filter(w -> w.keyword().equals("vrrp_script")).findFirst().orElseThrow();
        assertTrue(script.message().contains("no haproxy process runs"), script.message());
        Diagnostic stats = d.warnings().stream().filter(w -> w.keyword().equals("stats enable")).findFirst().orElseThrow();
        assertTrue(stats.message().contains("127.0.0.1:9000 instead of *:9000") && stats.message().contains("no 'stats auth'")
                && stats.message().contains("--stats-allow-remote-without-auth"), stats.message());
        assertTrue(d.warnings().stream().noneMatch(w -> w.keyword().startsWith("stats ") && !w.keyword().equals("stats enable")),
                "uri, realm and hide-version are honoured now: " + TestFiles.dump(d));
    }

    @Test
    void seed000UnicastPeersAndNotify() {
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, TestFiles.text("seed000-keepalived-node1.conf"), null);
        assertEquals(List.of("VI_1"), plan.components().stream().map(HaComponent::name).toList());
        assertEquals(1, plan.notifyScripts().size());
        VrrpInstance vi = component(plan, "VI_1", VrrpInstance.class);
        assertEquals(150, vi.priority());
        assertEquals(2, vi.virtualAddresses().size());
        plan.close(Duration.ofSeconds(1));
    }

    @Test
    void seed002ThreeBackends() {
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, null, TestFiles.text("seed002-haproxy.cfg"));
        assertFalse(plan.needsVipManager());
        assertEquals(List.of("kubernetes-frontend"), plan.components().stream().map(HaComponent::name).toList());
    }

    @Test
    void builderRefusalsBecomeErrorsWithTheSectionsLine() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig k = KeepalivedParser.parse("keepalived.conf", """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 1
                    version 3
                    advert_int 0.015
                }
                """, d);
        new AgentMapper(d, NO_TRANSPORT).map(Optional.of(k), Optional.empty());
        assertEquals(1, d.errors().size(), TestFiles.dump(d));
        Diagnostic e = d.errors().get(0);
        assertEquals(1, e.line());
        assertTrue(e.message().contains("advertInterval must be a multiple of 10ms"), e.message());
    }

    @Test
    void unreadableCaFileIsAnErrorOnTheServerLine() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig h = HaproxyParser.parse("haproxy.cfg", """
                frontend f
                    bind 127.0.0.1:7443
                    default_backend b
                backend b
                    server s1 127.0.0.1:6443 check check-ssl ca-file /nonexistent/ca.pem
                """, Map.of(), d);
        new AgentMapper(d, NO_TRANSPORT).map(Optional.empty(), Optional.of(h));
        assertEquals(List.of("server s1"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertEquals(5, d.errors().get(0).line());
    }

    @Test
    void syncGroupJoinsItsInstances() {
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, """
                vrrp_sync_group VG_1 {
                  group {
                    VI_4
                    VI_6
                  }
                }
                vrrp_instance VI_4 {
                  interface eth0
                  virtual_router_id 1
                  virtual_ipaddress { 198.18.0.100 }
                }
                vrrp_instance VI_6 {
                  interface eth0
                  virtual_router_id 2
                  version 3
                  virtual_ipaddress { fd00::100/64 }
                }
                """, null);
        assertEquals(2, plan.vrrpInstances().size());
        assertTrue(plan.vrrpInstances().get(1).isIpv6());
        // an instance joins one group at most: a probe group is refused exactly when the mapping put it in VG_1
        VrrpInstance vi4 = plan.vrrpInstances().get(0);
        VrrpInstance vi6 = plan.vrrpInstances().get(1);
        IllegalStateException first = assertThrows(IllegalStateException.class, () -> VrrpSyncGroup.of("probe", vi4, vi6));
        assertTrue(first.getMessage().contains("'VI_4' is already in sync group 'VG_1'"), first.getMessage());
        IllegalStateException second = assertThrows(IllegalStateException.class, () -> VrrpSyncGroup.of("probe", vi6, vi4));
        assertTrue(second.getMessage().contains("'VI_6' is already in sync group 'VG_1'"), second.getMessage());
    }

    @Test
    void instancesWithoutASyncGroupAreInNone() {
        AgentPlan plan = map(new Diagnostics(), NO_TRANSPORT, """
                vrrp_instance VI_4 {
                  interface eth0
                  virtual_router_id 1
                  virtual_ipaddress { 198.18.0.100 }
                }
                vrrp_instance VI_5 {
                  interface eth0
                  virtual_router_id 2
                  virtual_ipaddress { 198.18.0.101 }
                }
                """, null);
        VrrpSyncGroup probe = VrrpSyncGroup.of("probe", plan.vrrpInstances().toArray(VrrpInstance[]::new));
        assertEquals(plan.vrrpInstances(), probe.members());
    }

    @Test
    void serversOfABackendMustShareCheckTimers() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig h = HaproxyParser.parse("haproxy.cfg", """
                frontend f
                    bind 127.0.0.1:7443
                    default_backend b
                backend b
                    server s1 127.0.0.1:6443 check fall 3
                    server s2 127.0.0.1:6444 check fall 2
                """, Map.of(), d);
        new AgentMapper(d, NO_TRANSPORT).map(Optional.empty(), Optional.of(h));
        assertEquals(List.of("server s2"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertEquals(6, d.errors().get(0).line());
    }

    @Test
    void startedBalancerReportsTheMappedBackendsAndCheckers() throws Exception {
        int closedPort = freeLoopbackPort();
        int frontendPort = freeLoopbackPort();
        Diagnostics d = new Diagnostics();
        AgentPlan plan = map(d, NO_TRANSPORT, null, """
                defaults
                    mode tcp
                    timeout connect 1s
                    timeout client 1m
                    timeout server 1m
                    timeout tunnel 1h
                frontend api
                    bind 127.0.0.1:%d
                    option tcplog
                    default_backend nodes
                backend nodes
                    balance leastconn
                    option tcp-check
                    server n1 127.0.0.1:%d check inter 500ms fall 2 rise 4 weight 7
                    server n2 127.0.0.1:%d backup
                """.formatted(frontendPort, closedPort, closedPort));
        TcpBalancer balancer = component(plan, "api", TcpBalancer.class);
        balancer.start();
        try {
            assertEquals(List.of("n1", "n2"), balancer.backendNames());
            HealthChecker n1 = balancer.healthChecker("n1");
            assertEquals(Duration.ofMillis(500), n1.inter());
            assertEquals(2, n1.fall());
            assertEquals(4, n1.rise());
            assertEquals("tcp 127.0.0.1:" + closedPort, n1.check().description());
            assertTrue(balancer.healthChecker("n2").check().description().startsWith("none"),
                    "a server without 'check' is never checked down");
            io.ha4j.proxy.BalancerStats stats = balancer.stats();
            assertEquals(Balance.LEAST_CONNECTIONS, stats.balance());
            assertEquals(7, stats.backends().get(0).weight());
            assertTrue(stats.backends().get(1).backup());
            assertEquals(List.of(new InetSocketAddress("127.0.0.1", frontendPort)), balancer.boundAddresses());
        } finally {
            balancer.close(Duration.ZERO);
        }
    }

    /**
     * HAProxy runs {@code nbthread} threads in total, every one serving every frontend: two {@code listen} sections
     * with {@code nbthread 2} run on 2 event loop threads, not 2 each, and none is left once the agent stopped.
     */
    @Test
    void nbthreadIsTheAgentsThreadsInTotalSharedByEveryBalancer() throws Exception {
        assertEquals(List.of(), threadsNamed(AgentMapper.EVENT_LOOP_THREAD_PREFIX), "left running by an earlier test");
        try (ServerSocket backend = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            backend.setSoTimeout(5000);
            int one = freeLoopbackPort();
            int two = freeLoopbackPort();
            AgentPlan plan = map(new Diagnostics(), NO_TRANSPORT, null, """
                    global
                        nbthread 2
                        hard-stop-after 5s
                    defaults
                        mode tcp
                        timeout connect 1s
                        timeout client 1m
                        timeout server 1m
                    listen one
                        bind 127.0.0.1:%d
                        server b 127.0.0.1:%d
                    listen two
                        bind 127.0.0.1:%d
                        server b 127.0.0.1:%d
                    """.formatted(one, backend.getLocalPort(), two, backend.getLocalPort()));
            HaCluster cluster = plan.newCluster(Optional.empty());
            try {
                cluster.start();
                for (int port : new int[] {one, two}) {
                    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port); Socket relayed = backend.accept()) {
                        client.getOutputStream().write('x');
                        relayed.setSoTimeout(5000);
                        assertEquals('x', relayed.getInputStream().read(), "relayed through the balancer on port " + port);
                    }
                }
                List<String> loops = threadsNamed(AgentMapper.EVENT_LOOP_THREAD_PREFIX);
                assertEquals(2, loops.size(), "nbthread 2 is 2 event loop threads for both listen sections: " + loops);
                assertEquals(List.of(), threadsNamed("one-io"), "balancer 'one' made no group of its own");
                assertEquals(List.of(), threadsNamed("two-io"), "balancer 'two' made no group of its own");
            } finally {
                cluster.close();
                plan.close();
            }
            Await.until(Duration.ofSeconds(10), "no " + AgentMapper.EVENT_LOOP_THREAD_PREFIX + " thread alive after the stop: "
                    + threadsNamed(AgentMapper.EVENT_LOOP_THREAD_PREFIX), () -> threadsNamed(AgentMapper.EVENT_LOOP_THREAD_PREFIX).isEmpty());
        }
    }

    /** A configuration whose every frontend is refused leaves no event loop group behind, though one was made for it. */
    @Test
    void aMappingWithoutBalancersHoldsNoEventLoops() {
        Diagnostics d = new Diagnostics();
        HaproxyConfig h = HaproxyParser.parse("haproxy.cfg", """
                global
                    nbthread 2
                frontend f
                    bind 127.0.0.1:7443
                    default_backend b
                backend b
                    balance first
                    server s1 127.0.0.1:6443
                """, Map.of(), d);
        AgentPlan plan = new AgentMapper(d, NO_TRANSPORT).map(Optional.empty(), Optional.of(h));
        plans.add(plan);
        assertEquals(List.of("balance first"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertEquals(Optional.empty(), plan.eventLoopGroup());
        Await.until(Duration.ofSeconds(10), "the unused group's threads ended", () -> threadsNamed(AgentMapper.EVENT_LOOP_THREAD_PREFIX).isEmpty());
    }

    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    @Test
    void twoAgentsOnASimulatedLanElectTheSeedsMasterAndRunNotifyScripts(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("notify.log");
        Path script = dir.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" >> " + log + "\n");
        assertTrue(script.toFile().setExecutable(true));
        String template = """
                vrrp_instance VI_1 {
                  interface ens33
                  state %s
                  virtual_router_id 51
                  priority %d
                  virtual_ipaddress {
                    198.18.218.189/24
                  }
                  notify %s
                }
                """;
        ManualScheduler clock = new ManualScheduler();
        SimulatedLan lan = new SimulatedLan(clock, 7);
        SimulatedRouter r1 = lan.addRouter("r1", "198.18.218.171");
        SimulatedRouter r2 = lan.addRouter("r2", "198.18.218.172");
        AgentPlan p1 = map(new Diagnostics(), r1.transport(), template.formatted("MASTER", 101, script), null);
        AgentPlan p2 = map(new Diagnostics(), r2.transport(), template.formatted("BACKUP", 100, script), null);
        VrrpInstance v1 = component(p1, "VI_1", VrrpInstance.class);
        VrrpInstance v2 = component(p2, "VI_1", VrrpInstance.class);
        v1.start(r1.context());
        v2.start(r2.context());
        lan.advance(Duration.ofSeconds(5));
        assertEquals(VrrpState.MASTER, v1.state());
        assertEquals(VrrpState.BACKUP, v2.state());
        VirtualAddress vip = VirtualAddress.parse("198.18.218.189/24", "ens33");
        assertTrue(r1.vipManager().isPresent(vip));
        assertFalse(r2.vipManager().isPresent(vip));

        v1.close(); // priority 0: r2 takes over at once
        lan.advance(Duration.ofSeconds(2));
        assertEquals(VrrpState.MASTER, v2.state());
        assertTrue(r2.vipManager().isPresent(vip));
        v2.close();
        lan.advance(Duration.ofSeconds(1));
        p1.close(Duration.ofSeconds(5));
        p2.close(Duration.ofSeconds(5));

        // keepalived's notify arguments; r1 passes through BACKUP before its MASTER hint takes effect
        List<String> expected = List.of("INSTANCE VI_1 BACKUP 101", "INSTANCE VI_1 MASTER 101", "INSTANCE VI_1 STOP 101",
                "INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 STOP 100");
        List<String> lines = Await.value(Duration.ofSeconds(10), "the notify script wrote " + expected.size() + " lines",
                () -> {
                    try {
                        return Files.exists(log) ? Files.readAllLines(log) : List.<String>of();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, l -> l.size() >= expected.size());
        assertEquals(expected.stream().sorted().toList(), lines.stream().sorted().toList(), "notify lines: " + lines);
    }

    private static int freeLoopbackPort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
