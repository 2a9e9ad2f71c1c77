package io.ha4j.vrrp;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaEvent;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** One instance on a ManualScheduler with a capture transport and an in-memory VIP manager. */
final class InstanceHarness {

    final ManualScheduler clock = new ManualScheduler();
    final InMemoryVipManager vips = new InMemoryVipManager();
    final List<HaEvent> events = new ArrayList<>();
    final CaptureTransport transport;
    final ComponentContext context;

    InstanceHarness(String source) {
        transport = new CaptureTransport(Hex.ip(source));
        transport.afterInject = clock::runDueTasks;
        context = ComponentContext.builder().scheduler(clock).vipManager(vips)
                .blockingExecutor(new DirectExecutorService()).events(events::add).build();
    }

    VrrpInstance.Builder builder() {
        return VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).transport(transport.factory());
    }

    VrrpInstance start(VrrpInstance instance) throws Exception {
        instance.start(context);
        return instance;
    }

    /** An advert as a peer would send it; {@code pseudoHeader} chooses the v3/IPv4 convention. */
    static byte[] advert(int version, int vrid, int priority, int interval, List<String> addresses, String auth,
                         boolean pseudoHeader, String src, String dst) {
        boolean ipv6 = !addresses.isEmpty() ? addresses.get(0).contains(":") : src.contains(":");
        int alen = ipv6 ? 16 : 4;
        byte[] flat = new byte[addresses.size() * alen];
        for (int i = 0; i < addresses.size(); i++) {
            System.arraycopy(Hex.ip(addresses.get(i)).getAddress(), 0, flat, i * alen, alen);
        }
        byte[] authData = null;
        if (auth != null) {
            authData = new byte[8];
            byte[] a = auth.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(a, 0, authData, 0, a.length);
        }
        ByteBuffer b = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
        int len = VrrpPacket.encode(b, 0, version, vrid, priority, interval, flat, addresses.size(), alen,
                auth == null ? 0 : 1, authData);
        InetAddress s = Hex.ip(src);
        InetAddress d = Hex.ip(dst);
        VrrpPacket.putChecksum(b, 0, VrrpPacket.computeChecksum(b, 0, len, ipv6, version == 3 && pseudoHeader, s.getAddress(), d.getAddress()));
        byte[] out = new byte[len];
        b.get(0, out);
        return out;
    }
}
