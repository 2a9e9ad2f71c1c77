package io.ha4j.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.netlink.ReceivedPacket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receive checks alone, against {@link DropReason}: no instance, no scheduler, no transport. */
class ReceiveChecksTest {

    private static final String PEER = "198.18.0.1";
    private static final String GROUP = "224.0.0.18";
    private static final List<String> VIP = List.of("198.18.0.100");

    private static VrrpInstance.Builder base() {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).virtualAddress("198.18.0.100");
    }

    private static ReceivedPacket from(String source, String destination, int ttl) {
        return new ReceivedPacket().source(Hex.ip(source)).destination(Hex.ip(destination)).ttl(ttl);
    }

    private static DropReason check(ReceiveChecks checks, byte[] packet, ReceivedPacket m, VrrpState state) {
        return checks.check(ByteBuffer.wrap(packet), 0, packet.length, m, state);
    }

    private static DropReason check(ReceiveChecks checks, byte[] packet) {
        return check(checks, packet, from(PEER, GROUP, 255), VrrpState.BACKUP);
    }

    private static byte[] v3(int vrid, List<String> vips, String dst) {
        return InstanceHarness.advert(3, vrid, 100, 100, vips, null, true, PEER, dst);
    }

    @Test
    void v3MulticastChecksInKeepalivedsOrder() {
        ReceiveChecks checks = new ReceiveChecks(base().config());
        byte[] good = v3(51, VIP, GROUP);
        assertNull(check(checks, good));
        assertNull(check(checks, InstanceHarness.advert(3, 51, 100, 100, VIP, null, false, PEER, GROUP)),
                "message-only checksum (RFC 9568) is accepted too");
        assertEquals(DropReason.TRUNCATED, check(checks, new byte[] {0x31, 51, 100}));
        assertEquals(DropReason.TRUNCATED, check(checks, good, from(PEER, GROUP, 255).truncated(true), VrrpState.BACKUP));
        assertEquals(DropReason.OTHER_VRID, check(checks, v3(52, VIP, GROUP)));
        assertEquals(DropReason.NOT_LISTENING, check(checks, good, from(PEER, GROUP, 255), VrrpState.FAULT));
        assertEquals(DropReason.NOT_LISTENING, check(checks, good, from(PEER, GROUP, 255), VrrpState.INITIALIZE));
        assertNull(check(checks, Arrays.copyOf(good, good.length + 4)), "Ethernet padding is tolerated");
        assertEquals(DropReason.LENGTH, check(checks, Arrays.copyOf(good, good.length + 40)));
        assertEquals(DropReason.TTL, check(checks, good, from(PEER, GROUP, 64), VrrpState.MASTER));
        assertEquals(DropReason.VERSION, check(checks, InstanceHarness.advert(2, 51, 100, 1, VIP, null, false, PEER, GROUP)));
        byte[] badType = good.clone();
        badType[0] = 0x32;
        assertEquals(DropReason.TYPE, check(checks, badType));
        byte[] badSum = good.clone();
        badSum[6] ^= 1;
        assertEquals(DropReason.CHECKSUM, check(checks, badSum));
        assertEquals(DropReason.DESTINATION, check(checks, v3(51, VIP, "198.18.0.2"), from(PEER, "198.18.0.2", 255),
                VrrpState.BACKUP));
    }

    @Test
    void v2AuthenticationAndIntervalChecks() {
        ReceiveChecks checks = new ReceiveChecks(base().version(2).authPass("secret").config());
        assertNull(check(checks, InstanceHarness.advert(2, 51, 150, 1, VIP, "secret", false, PEER, GROUP)));
        assertEquals(DropReason.AUTH_FAILURE, check(checks, InstanceHarness.advert(2, 51, 150, 1, VIP, "wrong", false, PEER, GROUP)));
        assertEquals(DropReason.AUTH_TYPE_MISMATCH, check(checks, InstanceHarness.advert(2, 51, 150, 1, VIP, null, false, PEER, GROUP)));
        assertEquals(DropReason.INTERVAL_MISMATCH, check(checks, InstanceHarness.advert(2, 51, 150, 2, VIP, "secret", false, PEER, GROUP)));
        byte[] type7 = InstanceHarness.advert(2, 51, 150, 1, VIP, "secret", false, PEER, GROUP);
        type7[4] = 7;
        assertEquals(DropReason.INVALID_AUTH_TYPE, check(checks, type7));
    }

    @Test
    void unicastAcceptsOnlyPeersAndBothPseudoHeaderDestinations() {
        ReceiveChecks checks = new ReceiveChecks(base().unicastPeer(PEER).config());
        byte[] fromPeer = v3(51, VIP, "198.18.0.2");
        assertNull(check(checks, fromPeer, from(PEER, "198.18.0.2", 64), VrrpState.BACKUP), "no TTL check in unicast");
        byte[] stranger = InstanceHarness.advert(3, 51, 100, 100, VIP, null, true, "198.18.0.9", "198.18.0.2");
        assertEquals(DropReason.UNICAST_SOURCE, check(checks, stranger, from("198.18.0.9", "198.18.0.2", 255), VrrpState.BACKUP));
        assertEquals(DropReason.DESTINATION, check(checks, v3(51, VIP, GROUP)));
        byte[] oldKeepalived = v3(51, VIP, GROUP); // keepalived <= 1.3.6: the group in a unicast pseudo-header
        assertNull(check(checks, oldKeepalived, from(PEER, "198.18.0.2", 255), VrrpState.BACKUP));
    }

    @Test
    void ipv6ChecksumIsVerifiedUnlessTheKernelDid() {
        ReceiveChecks checks = new ReceiveChecks(
                VrrpInstance.builder("six").interfaceName("eth0").virtualRouterId(51).virtualAddress("fd00::100").config());
        byte[] good = InstanceHarness.advert(3, 51, 100, 100, List.of("fd00::100"), null, true, "fe80::1", "ff02::12");
        assertNull(check(checks, good, from("fe80::1", "ff02::12", 255), VrrpState.BACKUP));
        byte[] bad = good.clone();
        bad[6] ^= 1;
        assertEquals(DropReason.CHECKSUM, check(checks, bad, from("fe80::1", "ff02::12", 255), VrrpState.BACKUP));
        assertNull(check(checks, bad, from("fe80::1", "ff02::12", 255).checksumVerified(true), VrrpState.BACKUP));
    }

    @Test
    void addressListIsComparedInConfigurationOrder() {
        ReceiveChecks checks = new ReceiveChecks(base().virtualAddress("198.18.0.101").config());
        assertTrue(checks.addressListMatches(ByteBuffer.wrap(v3(51, List.of("198.18.0.100", "198.18.0.101"), GROUP)), 0));
        assertFalse(checks.addressListMatches(ByteBuffer.wrap(v3(51, List.of("198.18.0.101", "198.18.0.100"), GROUP)), 0));
        assertFalse(checks.addressListMatches(ByteBuffer.wrap(v3(51, VIP, GROUP)), 0));
    }
}
