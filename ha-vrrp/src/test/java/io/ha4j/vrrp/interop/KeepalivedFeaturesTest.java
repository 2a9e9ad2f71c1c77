package io.ha4j.vrrp.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.KeepalivedProcess;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.VrrpSyncGroup;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Features configured through ha4j's builder, against Debian's keepalived 2.2.7 on the same segment: a sync group
 * (a FAULT of one member takes the whole group's VIPs to keepalived, and they come back together) and
 * {@code preempt_delay} (a higher-priority ha4j holds back its preemption of a keepalived master, as keepalived's
 * own {@code preempt_delay} does). keepalived's side is read from its JSON dump.
 */
@Tag("privileged")
@Timeout(120)
class KeepalivedFeaturesTest extends InteropFixture {

    private static final String VIP_A = "198.18.0.100/32";
    private static final String VIP_B = "198.18.0.101/32";

    /** keepalived with two plain instances (no sync group of its own): VI_1 vrid 51 and VI_2 vrid 52. */
    private static String twoInstances(int priority) {
        StringBuilder b = new StringBuilder("global_defs {\n  router_id ha4j_interop\n}\n");
        String[][] instances = {{"VI_1", "51", VIP_A}, {"VI_2", "52", VIP_B}};
        for (String[] i : instances) {
            b.append("vrrp_instance ").append(i[0]).append(" {\n  state BACKUP\n  interface eth0\n  version 3\n")
                    .append("  virtual_router_id ").append(i[1]).append("\n  priority ").append(priority)
                    .append("\n  advert_int 0.2\n  virtual_ipaddress {\n    ").append(i[2]).append(" dev eth0\n  }\n}\n");
        }
        return b.toString();
    }

    private static VrrpInstance.Builder instance(String name, int vrid, String vip) {
        return VrrpInstance.builder(name).interfaceName(TestNetwork.NODE_INTERFACE).virtualRouterId(vrid)
                .priority(150).advertInterval(ADVERT).virtualAddress(vip);
    }

    @Test
    void syncGroupMovesBothVipsWhenOneMemberFaultsAndBringsThemBackTogether() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        HealthChecker check = HealthChecker.builder("vi1-check")
                .check(HealthCheck.of("flag", healthy::get))
                .inter(Duration.ofMillis(100)).rise(1).fall(1).build();
        // only VI_1 tracks the check: VI_2 follows it into FAULT because the two are one group
        VrrpInstance vi1 = instance("VI_1", 51, VIP_A).trackCheck(check, 0).build();
        VrrpInstance vi2 = instance("VI_2", 52, VIP_B).build();
        VrrpSyncGroup group = VrrpSyncGroup.of("G", vi1, vi2);
        assertEquals(java.util.List.of(vi1, vi2), group.members());
        AutoCloseable ha4j = ha.run(() -> {
            LinuxVipManager vips = LinuxVipManager.open();
            HaCluster cluster = HaCluster.builder().name("ha4j-sync").vipManager(vips).add(check).add(vi1).add(vi2).build();
            cluster.start();
            return (AutoCloseable) () -> {
                try {
                    cluster.close();
                } finally {
                    vips.close();
                }
            };
        });
        try {
            await("ha4j master of both", group::isMaster);
            KeepalivedProcess k = startKeepalived(twoInstances(100));
            k.awaitLog("(VI_2) Entering BACKUP STATE", TIMEOUT);
            await("both VIPs on ha only", () -> vipOnlyOn(ha, VIP_A) && vipOnlyOn(ha, VIP_B));

            healthy.set(false);
            await("VI_1 FAULT by its check, VI_2 FAULT by the group",
                    () -> vi1.state() == VrrpState.FAULT && vi2.state() == VrrpState.FAULT);
            await("both VIPs moved to keepalived", () -> vipOnlyOn(ka, VIP_A) && vipOnlyOn(ka, VIP_B));
            Map<String, KeepalivedProcess.InstanceStats> faulted = k.stats();
            assertEquals(KeepalivedProcess.InstanceStats.MASTER, faulted.get("VI_1").state(), faulted.toString());
            assertEquals(KeepalivedProcess.InstanceStats.MASTER, faulted.get("VI_2").state(),
                    "keepalived took VI_2 too although only VI_1's check failed: " + faulted);

            healthy.set(true);
            await("ha4j master of both again", group::isMaster);
            await("both VIPs back on ha", () -> vipOnlyOn(ha, VIP_A) && vipOnlyOn(ha, VIP_B));
            Map<String, KeepalivedProcess.InstanceStats> back = k.stats();
            for (String name : new String[] {"VI_1", "VI_2"}) {
                KeepalivedProcess.InstanceStats s = back.get(name);
                assertEquals(KeepalivedProcess.InstanceStats.BACKUP, s.state(), name + ": " + s);
                assertEquals(150, s.masterPriority(), name + " follows ha4j: " + s);
                assertTrue(s.advertReceived() > 0 && s.nonZeroErrors().isEmpty(), name + " accepted ha4j's adverts: " + s);
            }
        } finally {
            ha4j.close();
        }
    }

    @Test
    void preemptDelayFromTheBuilderHoldsBackThePreemptionOfAKeepalivedMaster() throws Exception {
        KeepalivedProcess k = startKeepalived(keepalivedInstance(100).vip(VIP4));
        k.awaitLog(entering("MASTER"), TIMEOUT);
        awaitVipOnlyOn(ka, VIP4);

        // without the delay ha4j (150) preempts after one Master_Down_Interval (about 0.7 s at 200 ms adverts); the
        // 10 s delay leaves room for a loaded machine around the 2 s the test watches
        Ha4jRouter r = startHa4j(ha4jInstance(150).virtualAddress(VIP4).preemptDelay(Duration.ofSeconds(10)));
        await("ha4j hears keepalived", () -> r.instance.counters().advertsReceived() > 0);
        int watched = mark(k);
        assertStays("ha4j (150) stays BACKUP during its preempt_delay; keepalived (100) stays MASTER", Duration.ofSeconds(2),
                () -> r.state() == VrrpState.BACKUP && !loggedAfter(k, watched, entering("BACKUP")) && vipOnlyOn(ka, VIP4));
        await("ha4j preempts once the delay is over", () -> r.state() == VrrpState.MASTER);
        awaitLogAfter(k, watched, entering("BACKUP"));
        awaitVipOnlyOn(ha, VIP4);
        KeepalivedProcess.InstanceStats seen = assertKeepalivedAcceptedEverything(k);
        assertEquals(KeepalivedProcess.InstanceStats.BACKUP, seen.state(), seen.toString());
        assertEquals(150, seen.masterPriority(), seen.toString());
    }

    @Test
    void keepalivedsPreemptDelayHoldsItBackUnderAnHa4jMaster() throws Exception {
        Ha4jRouter r = startHa4j(ha4jInstance(100).virtualAddress(VIP4));
        await("ha4j MASTER", () -> r.state() == VrrpState.MASTER);
        KeepalivedProcess k = startKeepalived(keepalivedInstance(150).preemptDelay(10).vip(VIP4));
        k.awaitLog(entering("BACKUP"), TIMEOUT);
        KeepalivedProcess.InstanceStats waiting = k.stats().get(KeepalivedConfig.INSTANCE);
        assertEquals(10.0, waiting.preemptDelay(), "keepalived read preempt_delay 10: " + waiting);
        assertStays("keepalived (150) holds back during its preempt_delay; ha4j (100) stays MASTER", Duration.ofSeconds(2),
                () -> r.state() == VrrpState.MASTER && !loggedAfter(k, 0, entering("MASTER")) && vipOnlyOn(ha, VIP4));
        k.awaitLog(entering("MASTER"), TIMEOUT);
        await("ha4j BACKUP under keepalived", () -> r.state() == VrrpState.BACKUP);
        awaitVipOnlyOn(ka, VIP4);
        assertKeepalivedAcceptedEverything(k);
        assertHa4jAcceptedEverything(r);
    }
}
