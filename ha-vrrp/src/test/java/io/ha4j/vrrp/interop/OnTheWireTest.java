package io.ha4j.vrrp.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testkit.Await;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.VrrpState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an ha4j master puts on the wire, seen by tcpdump in another namespace: the gratuitous ARPs (keepalived's
 * defaults {@code garp_master_repeat 5}, {@code garp_master_delay 5}: a burst of 5 at once and 5 more 5 s later; and
 * configured values through the builder), counted by their ARP sender address (the VIP); and the adverts' IP header
 * (TOS 0xC0, TTL 255, protocol 112 to 224.0.0.18) with tcpdump's own VRRP decoding and checksum check.
 */
@Tag("privileged")
@Timeout(90)
class OnTheWireTest extends InteropFixture {

    /** tcpdump's epoch timestamps of every ARP frame whose sender IP is {@code vip}, for {@code seconds}. */
    private List<Double> capture(TestNetwork.Node node, String vip, int seconds, Runnable whileCapturing) throws Exception {
        byte[] ip = java.net.InetAddress.getByName(vip).getAddress();
        String senderIp = String.format("0x%02x%02x%02x%02x", ip[0], ip[1], ip[2], ip[3]);
        List<Double> at = new ArrayList<>();
        for (String l : tcpdump(node, seconds, false, "arp and arp[14:4] = " + senderIp, whileCapturing)) {
            if (l.matches("^\\d+\\.\\d+ ARP, .*")) {
                at.add(Double.parseDouble(l.substring(0, l.indexOf(' '))));
            }
        }
        return at;
    }

    /** Every line tcpdump printed on {@code node}'s eth0 for {@code filter} during {@code seconds}. */
    private List<String> tcpdump(TestNetwork.Node node, int seconds, boolean verbose, String filter, Runnable whileCapturing)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("timeout", String.valueOf(seconds), "tcpdump", "-i",
                TestNetwork.NODE_INTERFACE, "-nn", "-l", "-tt", "--immediate-mode"));
        if (verbose) {
            command.add("-v");
        }
        command.add(filter);
        Process tcpdump = new ProcessBuilder(TestNetwork.withNamespace(node.namespace(), command.toArray(new String[0])))
                .redirectErrorStream(true).start();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException ended) {
                // tcpdump exited
            }
        }, "tcpdump-reader");
        reader.start();
        try {
            Await.until(Duration.ofSeconds(10), "tcpdump listening: " + lines,
                    () -> lines.stream().anyMatch(l -> l.contains("listening on")));
            whileCapturing.run();
            assertTrue(tcpdump.waitFor(seconds + 10L, TimeUnit.SECONDS), "tcpdump ends after " + seconds + " s");
            reader.join(5000);
        } finally {
            tcpdump.destroyForcibly();
        }
        return List.copyOf(lines);
    }

    /** Splits timestamps into bursts: a gap of more than {@code gapSeconds} starts a new one. */
    private static List<Integer> bursts(List<Double> at, double gapSeconds) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < at.size(); i++) {
            if (i == 0 || at.get(i) - at.get(i - 1) > gapSeconds) {
                sizes.add(0);
            }
            sizes.set(sizes.size() - 1, sizes.get(sizes.size() - 1) + 1);
        }
        return sizes;
    }

    @Test
    void defaultGarpBurstsAreFiveAndFiveMoreFiveSecondsLater() throws Exception {
        List<Double> at = capture(client, "198.18.0.100", 12, () -> {
            try {
                Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
                await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(List.of(5, 5), bursts(at, 2.0), "two bursts of 5 gratuitous ARPs: " + at);
        double secondBurstAfter = at.get(5) - at.get(0);
        assertTrue(secondBurstAfter > 4.0 && secondBurstAfter < 7.0,
                "the second burst comes garp_master_delay (5 s) after the first: " + secondBurstAfter + " s");
    }

    @Test
    void configuredRepeatAndDelayFromTheBuilder() throws Exception {
        List<Double> at = capture(client, "198.18.0.100", 6, () -> {
            try {
                Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4)
                        .garpMasterRepeat(3).garpMasterDelay(Duration.ofSeconds(2)));
                await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(List.of(3, 3), bursts(at, 1.0), "garpMasterRepeat(3): two bursts of 3: " + at);
    }

    @Test
    void advertsCarryTos0xc0Ttl255AndAChecksumTcpdumpAccepts() throws Exception {
        List<String> lines = tcpdump(client, 4, true, "ip proto 112", () -> {
            try {
                Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4));
                await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        String all = String.join("\n", lines);
        List<String> headers = lines.stream().filter(l -> l.contains("proto VRRP (112)")).toList();
        assertTrue(headers.size() >= 3, "several adverts seen: " + all);
        headers.forEach(h -> assertTrue(h.contains("tos 0xc0") && h.contains("ttl 255"), "IP header of an advert: " + h));
        List<String> adverts = lines.stream().filter(l -> l.contains("VRRPv3, Advertisement")).toList();
        assertEquals(headers.size(), adverts.size(), all);
        adverts.forEach(a -> assertTrue(a.contains("> 224.0.0.18") && a.contains("vrid 51") && a.contains("prio 150")
                && a.contains("addrs: 198.18.0.100"), "tcpdump's decoding of an advert: " + a));
        assertTrue(!all.contains("bad vrrp cksum"), "tcpdump accepts every checksum: " + all);
    }
}
