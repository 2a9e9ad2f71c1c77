package io.ha4j.examples.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ha4j.core.HaComponent;
import io.ha4j.core.LeaderElection;
import io.ha4j.etcd.EtcdElection;
import io.ha4j.vrrp.VrrpInstance;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flag picks the backend; the controller only ever sees a {@link LeaderElection}. */
class ControllerMainTest {

    @Test
    void etcdBackendFromFlags() {
        HaComponent c = ControllerMain.election(ControllerMain.flags(new String[] {
                "--backend=etcd", "--endpoints=http://127.0.0.1:2379,http://127.0.0.1:2381", "--ttl=2"}));
        EtcdElection e = assertInstanceOf(EtcdElection.class, c);
        assertEquals(Duration.ofSeconds(2), e.ttl());
        assertInstanceOf(LeaderElection.class, c);
    }

    @Test
    void vrrpBackendFromFlags() {
        HaComponent c = ControllerMain.election(ControllerMain.flags(new String[] {
                "--backend=vrrp", "--interface=eth1", "--vrid=7", "--priority=200", "--vip=198.18.0.10/24"}));
        VrrpInstance v = assertInstanceOf(VrrpInstance.class, c);
        assertEquals(7, v.virtualRouterId());
        assertEquals(200, v.priority());
        assertEquals("eth1", v.interfaceName());
        assertInstanceOf(LeaderElection.class, c);
    }

    @Test
    void unknownBackendOrMalformedFlagIsRefused() {
        assertEquals("--backend must be etcd or vrrp, was 'zookeeper'", assertThrows(IllegalArgumentException.class,
                () -> ControllerMain.election(Map.of("backend", "zookeeper"))).getMessage());
        assertEquals("arguments are --name=value, was 'etcd'", assertThrows(IllegalArgumentException.class,
                () -> ControllerMain.flags(new String[] {"etcd"})).getMessage());
    }
}
