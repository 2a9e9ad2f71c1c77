package io.ha4j.vrrp.interop;

import java.time.Duration;
import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaStartException;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.vrrp.RawSocketTransport;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RawSocketTransport} on its own terms, ha4j against ha4j on the real kernel: the election works over raw
 * sockets, the configured unicast source is what goes on the wire, the receive thread lives and dies with the
 * instance, and no file descriptor outlives it (also when the start fails).
 */
@Tag("privileged")
@Timeout(120)
class RawSocketTransportTest extends InteropFixture {

    private static final String RX_THREAD = "ha4j-vrrp-rx-";
    private static final String LINK_THREAD = "ha4j-vrrp-link-";

    @Test
    void testTwoHa4jRoutersElectAndFailOverOnRawSockets() throws Exception {
        Ha4jRouter high = startHa4j(ha, ha4jInstance(150).virtualAddress(VIP4));
        Ha4jRouter low = startHa4j(ka, ha4jInstance(100).virtualAddress(VIP4));
        await("ha MASTER, ka BACKUP", () -> high.state() == VrrpState.MASTER && low.state() == VrrpState.BACKUP);
        awaitVipOnlyOn(ha, VIP4);
        assertStays("no flapping", java.time.Duration.ofSeconds(1),
                () -> high.state() == VrrpState.MASTER && low.state() == VrrpState.BACKUP);
        assertEquals(ha.ipv4(), high.instance.sourceAddress(), "default source: the interface's first IPv4 address");

        high.close();
        await("ka MASTER after priority 0", () -> low.state() == VrrpState.MASTER);
        awaitVipOnlyOn(ka, VIP4);
        assertTrue(low.instance.counters().priorityZeroReceived() > 0, low.toString());
        assertHa4jAcceptedEverything(low);
    }

    @Test
    void testConfiguredUnicastSourceIsTheSourceOnTheWire() throws Exception {
        ha.addAddress("198.18.1.1/24");
        Ha4jRouter high = startHa4j(ha, ha4jInstance(150).virtualAddress(VIP4)
                .unicastSource("198.18.1.1").unicastPeer(ka.ipv4().getHostAddress()));
        assertEquals(InetAddress.getByName("198.18.1.1"), high.instance.sourceAddress());
        // ka accepts only adverts from 198.18.1.1: had ha sent from 198.18.0.1, ka would drop them and become MASTER too
        Ha4jRouter low = startHa4j(ka, ha4jInstance(100).virtualAddress(VIP4)
                .unicastPeer("198.18.1.1"));
        await("ha MASTER, ka BACKUP", () -> high.state() == VrrpState.MASTER && low.state() == VrrpState.BACKUP);
        assertStays("ka stays BACKUP", java.time.Duration.ofSeconds(1), () -> low.state() == VrrpState.BACKUP);
        assertHa4jAcceptedEverything(low);
        awaitVipOnlyOn(ha, VIP4);
    }

    @Test
    void testIpv6SourceIsTheInterfacesOwnLinkLocalAddressNotAnotherInstancesVip() throws Exception {
        InetAddress linkLocal = ha.ipv6LinkLocal();
        Ha4jRouter holder = startHa4j(ha, ha4jInstance(150).virtualAddress(VIP6));
        await("first instance MASTER with its link-local VIP", () -> holder.state() == VrrpState.MASTER && hasAddress(ha, VIP6));
        Ha4jRouter second = startHa4j(ha, VrrpInstance.builder("VI_2").interfaceName("eth0").virtualRouterId(52)
                .advertInterval(ADVERT).virtualAddress("fe80::4a4a:200/64"));
        assertEquals(linkLocal, InetAddress.getByAddress(second.instance.sourceAddress().getAddress()),
                "an instance started while another holds a link-local VIP must not send from that VIP");
    }

    /**
     * A {@code track_interface} with weight 0 losing its carrier puts the instance in FAULT with nothing wired but
     * the instance itself (the raw-socket transport watches rtnetlink): trk0 is one end of a veth pair inside the
     * node, and its carrier follows the other end. Started while the carrier is off, the instance starts in FAULT.
     */
    @Test
    void testTrackedInterfaceCarrierDrivesFaultOnItsOwn() throws Exception {
        ha.exec("ip", "link", "add", "trk0", "type", "veth", "peer", "name", "trk1").orThrow();
        ha.exec("ip", "link", "set", "trk0", "up").orThrow();
        Ha4jRouter r = startHa4j(ha, ha4jInstance(100).virtualAddress(VIP4).trackInterface("trk0", 0));
        assertStays("FAULT while trk0 has no carrier (the state read at start)", java.time.Duration.ofSeconds(1),
                () -> r.state() == VrrpState.FAULT);
        assertTrue(!hasAddress(ha, VIP4));
        ha.exec("ip", "link", "set", "trk1", "up").orThrow();
        await("MASTER once trk0 has a carrier", () -> r.state() == VrrpState.MASTER);
        awaitVipOnlyOn(ha, VIP4);
        ha.exec("ip", "link", "set", "trk1", "down").orThrow();
        await("FAULT when trk0 loses its carrier", () -> r.state() == VrrpState.FAULT);
        await("FAULT released the VIP", () -> !hasAddress(ha, VIP4));
        assertTrue(r.transitions().stream().anyMatch(t -> t.contains("interface trk0 is down")), r.toString());
    }

    /**
     * The receive thread blocks in the kernel between adverts: over two seconds of a backup hearing five adverts a
     * second it uses a small fraction of one CPU (a spinning loop would use all of it). Not a timing figure: the
     * bound is half the wall time.
     */
    @Test
    void testReceiveThreadBlocksInsteadOfSpinning() throws Exception {
        Ha4jRouter master = startHa4j(ka, ha4jInstance(150).virtualAddress(VIP4));
        await("ka MASTER", () -> master.state() == VrrpState.MASTER);
        Ha4jRouter backup = startHa4j(ha, ha4jInstance(100).virtualAddress(VIP4));
        await("ha BACKUP", () -> backup.state() == VrrpState.BACKUP);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Thread rx = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(RX_THREAD + "VI_1") && t.isAlive())
                .max(java.util.Comparator.comparingLong(Thread::getId)) // both are named so; the backup started last
                .orElseThrow(() -> new AssertionError("no receive thread: " + receiveThreads()));
        long receivedBefore = backup.instance.counters().advertsReceived();
        long cpuBefore = threads.getThreadCpuTime(rx.getId());
        long wallBefore = System.nanoTime();
        Await.quietPeriod(Duration.ofSeconds(2)); // a window of adverts to measure the receive thread's CPU over
        long cpu = threads.getThreadCpuTime(rx.getId()) - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        long received = backup.instance.counters().advertsReceived() - receivedBefore;
        assertTrue(received >= 5, "the backup kept receiving: " + received + " adverts");
        assertTrue(cpu < wall / 2, "receive thread used " + cpu / 1_000_000 + " ms CPU in " + wall / 1_000_000
                + " ms for " + received + " adverts");
    }

    @Test
    void testCloseJoinsTheReceiveThreadAndReleasesEveryDescriptor() throws Exception {
        cycle(); // warm-up: class loading and logging open their files once
        long baseline = openDescriptors();
        int cycles = 8;
        for (int i = 0; i < cycles; i++) {
            cycle();
        }
        long after = openDescriptors();
        // one cycle opens at least seven descriptors (two raw sockets and an eventfd, the link watch's netlink
        // socket and eventfd, netlink and packet sockets of the VIP manager)
        assertTrue(after <= baseline + 2, "descriptors " + baseline + " -> " + after + " after " + cycles + " cycles: "
                + descriptorTargets());
    }

    private void cycle() throws Exception {
        Ha4jRouter r = Ha4jRouter.start(ha, ha4jInstance(100).virtualAddress(VIP4));
        try {
            await("receive thread running", () -> !receiveThreads().isEmpty());
            await("MASTER", () -> r.state() == VrrpState.MASTER);
        } finally {
            r.close();
        }
        assertEquals(List.of(), receiveThreads(), "close() joined the receive and link-watch threads");
        assertTrue(!hasAddress(ha, VIP4), "close() removed the VIP");
    }

    @Test
    void testFailedStartOnAMissingInterfaceLeavesNothingBehind() throws Exception {
        long baseline = openDescriptors();
        for (int i = 0; i < 3; i++) {
            HaStartException e = assertThrows(HaStartException.class, () -> ha.run(() -> {
                try (LinuxVipManager vips = LinuxVipManager.open();
                     HaCluster cluster = HaCluster.builder().name("missing").vipManager(vips)
                             .add(VrrpInstance.builder("VI_X").interfaceName("nosuch0").virtualRouterId(9)
                                     .virtualAddress("198.18.0.200/32").transport(RawSocketTransport.factory()).build())
                             .build()) {
                    cluster.start();
                }
                return null;
            }));
            assertTrue(causeChain(e).contains("nosuch0"), "the error names the interface: " + causeChain(e));
        }
        assertEquals(List.of(), receiveThreads());
        long after = openDescriptors();
        assertTrue(after <= baseline + 2, "descriptors " + baseline + " -> " + after + ": " + descriptorTargets());
    }

    private static String causeChain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" <- ");
        }
        return b.toString();
    }

    private static List<String> receiveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> (t.getName().startsWith(RX_THREAD) || t.getName().startsWith(LINK_THREAD)) && t.isAlive())
                .map(Thread::getName)
                .collect(Collectors.toList());
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static String descriptorTargets() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "?";
                }
            }).sorted().collect(Collectors.joining(", "));
        }
    }
}
