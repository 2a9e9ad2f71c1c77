package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.vrrp.internal.VrrpPacket;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips through the codec, and the receive path under random and mutated input. */
class CodecProperties {

    /** One advert's fields. */
    static final class Advert {
        final int version;
        final boolean ipv6;
        final int vrid;
        final int priority;
        final int interval;
        final byte[] addresses;
        final int count;
        final byte[] auth;
        final boolean pseudo;

        Advert(int version, boolean ipv6, int vrid, int priority, int interval, byte[] addresses, byte[] auth, boolean pseudo) {
            this.version = ipv6 ? 3 : version;
            this.ipv6 = ipv6;
            this.vrid = vrid;
            this.priority = priority;
            this.interval = this.version == 2 ? 1 + interval % 255 : interval;
            int alen = ipv6 ? 16 : 4;
            this.count = addresses.length / alen;
            this.addresses = java.util.Arrays.copyOf(addresses, count * alen);
            this.auth = this.version == 2 ? auth : null;
            this.pseudo = pseudo;
        }

        @Override
        public String toString() {
            return "v" + version + (ipv6 ? "/6" : "/4") + " vrid " + vrid + " prio " + priority + " int " + interval + " n " + count;
        }
    }

    @Provide
    Arbitrary<Advert> adverts() {
        return Combinators.combine(
                Arbitraries.of(2, 3), Arbitraries.of(false, true), Arbitraries.integers().between(1, 255),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(1, 4095),
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(255 * 4),
                Arbitraries.bytes().array(byte[].class).ofSize(8), Arbitraries.of(false, true))
                .as(Advert::new);
    }

    private static final byte[] SRC4 = {(byte) 198, 18, 0, 1};
    private static final byte[] DST4 = {(byte) 224, 0, 0, 18};
    private static final byte[] SRC6 = Hex.ip("fe80::1").getAddress();
    private static final byte[] DST6 = Hex.ip("ff02::12").getAddress();

    @Property(tries = 300)
    void encodeThenReadGivesTheFieldsBackAndTheChecksumVerifies(@ForAll("adverts") Advert a,
                                                                 @ForAll @IntRange(min = 0, max = 64) int offset) {
        ByteBuffer b = ByteBuffer.allocate(offset + VrrpPacket.MAX_LENGTH);
        int alen = a.ipv6 ? 16 : 4;
        int len = VrrpPacket.encode(b, offset, a.version, a.vrid, a.priority, a.interval, a.addresses, a.count, alen,
                a.auth == null ? 0 : 1, a.auth);
        byte[] src = a.ipv6 ? SRC6 : SRC4;
        byte[] dst = a.ipv6 ? DST6 : DST4;
        boolean pseudo = a.version == 3 && a.pseudo;
        VrrpPacket.putChecksum(b, offset, VrrpPacket.computeChecksum(b, offset, len, a.ipv6, pseudo, src, dst));

        assertEquals(VrrpPacket.length(a.version, a.count, alen), len);
        assertEquals(a.version, VrrpPacket.version(b, offset));
        assertEquals(1, VrrpPacket.type(b, offset));
        assertEquals(a.vrid, VrrpPacket.virtualRouterId(b, offset));
        assertEquals(a.priority, VrrpPacket.priority(b, offset));
        assertEquals(a.count, VrrpPacket.count(b, offset));
        assertEquals(a.interval, VrrpPacket.interval(b, offset, a.version));
        for (int i = 0; i < a.addresses.length; i++) {
            assertEquals(a.addresses[i], b.get(offset + VrrpPacket.HEADER_LENGTH + i));
        }
        assertEquals(0, VrrpPacket.computeChecksum(b, offset, len, a.ipv6, pseudo, src, dst));
    }

    @Property(tries = 500)
    void randomBytesNeverThrowAndAreCountedAsDrops(@ForAll @Size(max = 200) List<@Size(max = 120) byte[]> packets,
                                                    @ForAll boolean ipv6) throws Exception {
        InstanceHarness h = new InstanceHarness(ipv6 ? "fe80::2" : "198.18.0.2");
        VrrpInstance vrrp = h.start(h.builder().virtualAddress(ipv6 ? "fe80::100" : "198.18.0.100").build());
        String src = ipv6 ? "fe80::1" : "198.18.0.1";
        String dst = ipv6 ? "ff02::12" : "224.0.0.18";
        for (byte[] p : packets) {
            h.transport.inject(p, Hex.ip(src), Hex.ip(dst));
        }
        VrrpCounters c = vrrp.counters();
        assertEquals(packets.size(), c.advertsReceived() + c.droppedTotal(), c.toString());
    }

    @Property(tries = 500)
    void mutatedValidAdvertsNeverThrowAndAreCounted(@ForAll @IntRange(min = 0, max = 255) int priority,
                                                    @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 1000) Integer> positions,
                                                    @ForAll @Size(min = 30, max = 30) List<Byte> values,
                                                    @ForAll @IntRange(min = -8, max = 40) int lengthChange,
                                                    @ForAll boolean v2) throws Exception {
        InstanceHarness h = new InstanceHarness("198.18.0.2");
        VrrpInstance.Builder builder = h.builder().virtualAddress("198.18.0.100").virtualAddress("198.18.0.101");
        if (v2) {
            builder.version(2).authPass("pw");
        }
        VrrpInstance vrrp = h.start(builder.build());
        byte[] valid = InstanceHarness.advert(v2 ? 2 : 3, 51, priority, v2 ? 1 : 100, List.of("198.18.0.100", "198.18.0.101"),
                v2 ? "pw" : null, true, "198.18.0.1", "224.0.0.18");
        h.transport.inject(valid, Hex.ip("198.18.0.1"), Hex.ip("224.0.0.18"));
        assertEquals(1, vrrp.counters().advertsReceived(),
                "the unmutated advert is accepted");
        byte[] mutated = java.util.Arrays.copyOf(valid, Math.max(0, valid.length + lengthChange));
        for (int i = 0; i < positions.size(); i++) {
            if (mutated.length > 0) {
                mutated[positions.get(i) % mutated.length] = values.get(i);
            }
        }
        h.transport.inject(mutated, Hex.ip("198.18.0.1"), Hex.ip("224.0.0.18"));
        h.clock.advance(java.time.Duration.ofSeconds(10));
        VrrpCounters c = vrrp.counters();
        assertEquals(2, c.advertsReceived() + c.droppedTotal(), c.toString());
    }
}
