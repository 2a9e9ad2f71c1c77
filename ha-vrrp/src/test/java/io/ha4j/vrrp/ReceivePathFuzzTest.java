package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's VRRP goal: fuzzed and mutated adverts, grown from valid VRRPv2 (auth PASS), VRRPv3/IPv4 and
 * VRRPv3/IPv6 packets, through the receive path of a running instance (transport callback, receive queue, receive
 * checks, state machine, timers on a stepped clock). Checked for every run:
 * <ul>
 *   <li>no exception escapes (an exception inside the instance reaches this thread through the scheduler);</li>
 *   <li>no state change keepalived would not make: an address owner (priority 255, the highest address on the
 *       segment) stays MASTER whatever it hears (nothing outranks it), and a backup whose clock stands still never
 *       changes state on receipt alone (RFC 5798 §6.4.2 moves a backup only by its timer);</li>
 *   <li>what the master sends is bounded by its timer: at most two adverts per advert interval (the timer and one
 *       answer), plus the one it sent on becoming master; the backup sends nothing.</li>
 * </ul>
 * Default: 200,000 packets per run ({@code -Dha4j.fuzz.adverts=1000000} for the full figure); the seed is printed
 * and can be replayed with {@code -Dha4j.fuzz.seed=...}.
 */
class ReceivePathFuzzTest {

    private static final long ADVERTS = Long.getLong("ha4j.fuzz.adverts", 200_000L);
    private static final long SEED = Long.getLong("ha4j.fuzz.seed", System.nanoTime());
    private static final Duration INTERVAL = Duration.ofMillis(100);
    /** Simulated time between two packets: 1,000,000 packets are 100 s, 1,000 advert intervals. */
    private static final long STEP_NANOS = 100_000L;

    private enum Family {
        V2, V3_IPV4, V3_IPV6
    }

    @Test
    void fuzzedAdvertsNeverEscapeNeverFlipAnOwnerAndNeverAmplify() throws Exception {
        System.out.println("ReceivePathFuzzTest seed " + SEED + " (replay: -Dha4j.fuzz.seed=" + SEED
                + "), adverts " + ADVERTS);
        Random random = new Random(SEED);
        long perRun = ADVERTS / 4;
        for (Family family : Family.values()) {
            run(family, true, perRun, random);
        }
        run(Family.V3_IPV4, false, ADVERTS - 3 * perRun, random);
    }

    private void run(Family family, boolean owner, long packets, Random random) throws Exception {
        boolean ipv6 = family == Family.V3_IPV6;
        String self = ipv6 ? "fe80::ffff" : "198.18.0.254";
        InstanceHarness h = new InstanceHarness(self);
        VrrpInstance.Builder b = h.builder().priority(owner ? 255 : 100).advertInterval(
                family == Family.V2 ? Duration.ofSeconds(1) : INTERVAL);
        if (family == Family.V2) {
            b.version(2).authPass("secret");
        }
        b.virtualAddress(ipv6 ? "fd00::100" : "198.18.0.100").virtualAddress(ipv6 ? "fd00::101" : "198.18.0.101");
        VrrpInstance vrrp = h.start(b.build());
        List<String> transitions = new ArrayList<>();
        vrrp.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                transitions.add(from + "->" + to + " (" + reason + ")");
            }
        });
        VrrpState expected = owner ? VrrpState.MASTER : VrrpState.BACKUP;
        assertEquals(expected, vrrp.state());
        long sentAtStart = vrrp.counters().advertsSent();
        long start = h.clock.nanoTime();

        List<byte[]> seeds = seeds(family, random);
        Mutator mutator = new Mutator(family, random);
        ReceivedPacket m = new ReceivedPacket();
        for (long i = 0; i < packets; i++) {
            byte[] packet = mutator.mutate(seeds.get(random.nextInt(seeds.size())), m);
            h.transport.inject(packet, m);
            if (owner) {
                h.clock.advanceNanos(STEP_NANOS);
            }
            if (vrrp.state() != expected) {
                throw new AssertionError(family + (owner ? " owner" : " backup") + ": state " + vrrp.state()
                        + " after packet " + i + " " + Arrays.toString(packet) + " " + m + "; transitions " + transitions
                        + "; seed " + SEED);
            }
        }
        long elapsed = h.clock.nanoTime() - start;
        long intervals = elapsed / b.config().advertInterval().toNanos() + 1;
        long sent = vrrp.counters().advertsSent() - sentAtStart;
        VrrpCounters c = vrrp.counters();
        System.out.println("ReceivePathFuzzTest " + family + (owner ? " owner MASTER" : " BACKUP") + ": " + packets
                + " packets over " + elapsed / 1_000_000 + " ms simulated, accepted " + c.advertsReceived()
                + ", dropped " + c.droppedByReason() + ", sent " + sent + ", answers suppressed " + c.answersSuppressed());
        assertEquals(List.of(), transitions, "no state change");
        assertTrue(c.advertsReceived() > packets / 50, "the fuzz reached the state machine: " + c);
        assertTrue(c.droppedTotal() > packets / 4, "the fuzz reached the checks: " + c);
        if (owner) {
            assertTrue(sent <= 2 * intervals, "sent " + sent + " in " + intervals + " advert intervals; seed " + SEED);
            assertTrue(sent >= intervals - 1, "the advert timer kept running: " + sent + " in " + intervals);
        } else {
            assertEquals(0, sent, "a backup sends nothing");
        }
        vrrp.close();
    }

    /** Valid adverts the peer (a lower address than ours) might send: several priorities, our VIPs or others. */
    private static List<byte[]> seeds(Family family, Random random) {
        List<byte[]> seeds = new ArrayList<>();
        boolean ipv6 = family == Family.V3_IPV6;
        List<String> ours = ipv6 ? List.of("fd00::100", "fd00::101") : List.of("198.18.0.100", "198.18.0.101");
        List<String> other = ipv6 ? List.of("fd00::9") : List.of("198.18.0.9");
        String group = ipv6 ? "ff02::12" : "224.0.0.18";
        for (int priority : new int[] {0, 1, 100, 254, 255}) {
            for (List<String> vips : List.of(ours, other)) {
                String src = ipv6 ? "fe80::1" : "198.18.0.1"; // the metadata's source: lower than ours
                if (family == Family.V2) {
                    seeds.add(InstanceHarness.advert(2, 51, priority, 1, vips, "secret", false, src, group));
                } else {
                    seeds.add(InstanceHarness.advert(3, 51, priority, 10, vips, null, random.nextBoolean(), src, group));
                }
            }
        }
        return seeds;
    }

    /** One mutation of a seed advert, and metadata as a transport would fill it (mostly plausible, sometimes not). */
    private static final class Mutator {
        private final Family family;
        private final Random random;
        private final ByteBuffer scratch = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH + 128);
        private final byte[] source;
        private final byte[] group;

        Mutator(Family family, Random random) throws Exception {
            this.family = family;
            this.random = random;
            boolean ipv6 = family == Family.V3_IPV6;
            this.source = InetAddress.getByName(ipv6 ? "fe80::1" : "198.18.0.1").getAddress();
            this.group = InetAddress.getByName(ipv6 ? "ff02::12" : "224.0.0.18").getAddress();
        }

        byte[] mutate(byte[] seed, ReceivedPacket m) {
            byte[] p = seed.clone();
            boolean fixChecksum = false;
            switch (random.nextInt(9)) {
                case 0: // flip a few bits
                    for (int n = 1 + random.nextInt(3); n > 0; n--) {
                        p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    break;
                case 1: // one byte anything
                    p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                    break;
                case 2: // cut short
                    p = Arrays.copyOf(p, random.nextInt(p.length));
                    break;
                case 3: // longer, padded with noise
                    p = Arrays.copyOf(p, p.length + 1 + random.nextInt(64));
                    for (int i = seed.length; i < p.length; i++) {
                        p[i] = (byte) random.nextInt(256);
                    }
                    break;
                case 4: // any priority, checksum right
                    p[2] = (byte) random.nextInt(256);
                    fixChecksum = true;
                    break;
                case 5: // count and interval anything, checksum right
                    p[3] = (byte) random.nextInt(256);
                    p[4] = (byte) (family == Family.V2 ? random.nextInt(256) : random.nextInt(16) | (p[4] & 0xf0));
                    p[5] = (byte) random.nextInt(256);
                    fixChecksum = true;
                    break;
                case 6: // version, type and auth anything, checksum right
                    p[0] = (byte) random.nextInt(256);
                    if (family == Family.V2) {
                        p[4] = (byte) random.nextInt(4);
                    }
                    fixChecksum = true;
                    break;
                case 7: // noise
                    p = new byte[random.nextInt(128)];
                    random.nextBytes(p);
                    fixChecksum = random.nextBoolean();
                    break;
                default: // the seed itself: valid
                    break;
            }
            if (fixChecksum && p.length >= VrrpPacket.HEADER_LENGTH) {
                fixChecksum(p);
            }
            metadata(m);
            return p;
        }

        private void fixChecksum(byte[] p) {
            scratch.clear();
            scratch.put(0, p, 0, p.length);
            VrrpPacket.putChecksum(scratch, 0, 0);
            boolean ipv6 = family == Family.V3_IPV6;
            boolean pseudo = ipv6 || (family == Family.V3_IPV4 && random.nextBoolean());
            int sum = VrrpPacket.computeChecksum(scratch, 0, p.length, ipv6, pseudo, source, group);
            p[6] = (byte) (sum >>> 8);
            p[7] = (byte) sum;
        }

        private void metadata(ReceivedPacket m) {
            m.clear().source(source, 0, source.length);
            int r = random.nextInt(16);
            m.ttl(r == 0 ? random.nextInt(256) : 255);
            if (r == 1) {
                byte[] other = source.clone();
                other[other.length - 1] = (byte) random.nextInt(256);
                m.destination(other, 0, other.length);
            } else if (r != 2) {
                m.destination(group, 0, group.length);
            }
            if (r == 3) {
                m.wireLength(random.nextInt(200));
            }
            if (r == 4) {
                m.truncated(true);
            }
            if (family == Family.V3_IPV6 && r < 8) {
                m.checksumVerified(true);
            }
        }
    }
}
