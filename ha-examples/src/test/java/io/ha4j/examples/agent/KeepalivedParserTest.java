package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.examples.agent.KeepalivedConfig.InitialState;
import io.ha4j.examples.agent.KeepalivedConfig.Instance;
import io.ha4j.examples.agent.KeepalivedConfig.Script;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeepalivedParserTest {

    private static KeepalivedConfig parseResource(String name, Diagnostics d) {
        return KeepalivedParser.parse(name, TestFiles.text(name), d);
    }

    private static KeepalivedConfig parseText(String text, Diagnostics d) {
        return KeepalivedParser.parse("keepalived.conf", text, d);
    }

    @Test
    void seed001Master01() throws Exception {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseResource("seed001-keepalived-master01.conf", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals(Optional.of("LVS_DEVEL"), c.globalDefs().routerId());

        Script s = c.script("check_apiserver").orElseThrow();
        assertEquals("/etc/keepalived/check_apiserver.sh", s.command());
        assertEquals(Duration.ofSeconds(3), s.interval());
        assertEquals(Duration.ofSeconds(3), s.timeout(), "keepalived: timeout defaults to the interval");
        assertEquals(-2, s.weight());
        assertEquals(10, s.fall());
        assertEquals(2, s.rise());

        Instance i = c.instance("VI_1").orElseThrow();
        assertEquals(InitialState.MASTER, i.state());
        assertEquals("enp0s3", i.interfaceName());
        assertEquals(51, i.virtualRouterId());
        assertEquals(200, i.priority());
        assertEquals(Duration.ofSeconds(1), i.advertInterval());
        assertEquals(2, i.version());
        assertEquals("42", i.authentication().orElseThrow().password());
        assertEquals(1, i.virtualAddresses().size());
        assertEquals("10.0.2.100/32", i.virtualAddresses().get(0).cidr());
        assertEquals(List.of("check_apiserver"), i.trackScripts().stream().map(KeepalivedConfig.TrackedScript::name).toList());
        assertEquals(OptionalInt.empty(), i.trackScripts().get(0).weight());
        assertTrue(i.preempt());
        assertTrue(i.unicastPeers().isEmpty());
        // PASS authentication is accepted with a warning that it protects nothing
        assertEquals(List.of("authentication"), TestFiles.keywords(d.warnings()));
        assertEquals(18, d.warnings().get(0).line());
    }

    @Test
    void seed001TemplateWithExampleValues() {
        Diagnostics d = new Diagnostics();
        Instance i = parseResource("seed001-keepalived-template.conf", d).instances().get(0);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals("eth0", i.interfaceName());
        assertEquals(110, i.priority());
        assertEquals("pass1122", i.authentication().orElseThrow().password());
    }

    @Test
    void seed003MasterAndBackupWithInlineComments() throws Exception {
        for (String name : List.of("seed003-keepalived-master.conf", "seed003-keepalived-backup.conf")) {
            Diagnostics d = new Diagnostics();
            KeepalivedConfig c = parseResource(name, d);
            assertFalse(d.hasErrors(), TestFiles.dump(d));
            assertTrue(d.warnings().isEmpty(), TestFiles.dump(d));
            Script s = c.script("chk_haproxy").orElseThrow();
            assertEquals("killall -0 haproxy", s.command(), "the '# check the haproxy process' comment is not part of it");
            assertEquals(Duration.ofSeconds(2), s.interval());
            assertEquals(2, s.weight());
            assertEquals(1, s.rise(), "keepalived default");
            assertEquals(1, s.fall(), "keepalived default");
            Instance i = c.instance("VI_1").orElseThrow();
            assertEquals("ens33", i.interfaceName());
            assertEquals(name.contains("master") ? InitialState.MASTER : InitialState.BACKUP, i.state());
            assertEquals(name.contains("master") ? 101 : 100, i.priority());
            assertEquals("192.168.218.189/24", i.virtualAddresses().get(0).cidr());
            assertTrue(i.authentication().isEmpty());
        }
    }

    @Test
    void seed000RenderedOsixiaConfig() throws Exception {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseResource("seed000-keepalived-node1.conf", d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals(Optional.of("eth0"), c.globalDefs().defaultInterface());
        Instance i = c.instances().get(0);
        assertTrue(i.preempt(), "keepalived clears nopreempt on a 'state MASTER' instance");
        assertEquals(List.of(InetAddress.getByName("172.16.217.171"), InetAddress.getByName("172.16.217.172"),
                InetAddress.getByName("172.16.217.173")), i.unicastPeers());
        assertEquals(List.of("172.16.100.100/32", "172.16.100.101/32"), i.virtualAddresses().stream().map(KeepalivedConfig.Vip::cidr).toList());
        assertEquals(Optional.of("/container/service/keepalived/assets/notify.sh"), i.notifyScripts().any());
        // nopreempt with state MASTER does not do what it seems to: warned, and cleared as keepalived does
        assertTrue(d.warnings().stream().anyMatch(w -> w.keyword().equals("nopreempt") && w.line() == 14
                && w.message().contains("keepalived clears it")), TestFiles.dump(d));
    }

    @Test
    void everyInstanceKeyword() throws Exception {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseText("""
                global_defs {
                  router_id node-1
                  vrrp_version 3
                  notification_email { admin@example.org }
                  enable_script_security
                }
                vrrp_script chk { script "/bin/true"; interval 0.5
                  timeout 2
                  weight 10 reverse
                  rise 3
                  fall 4
                  init_fail
                }
                vrrp_instance VI_9
                {
                  state BACKUP
                  interface eth1
                  virtual_router_id 9
                  priority 90
                  advert_int 0.25
                  unicast_src_ip 198.18.0.1
                  unicast_peer { 198.18.0.2 }
                  virtual_ipaddress {
                    198.18.0.100/24 dev eth1 label eth1:vip scope global
                    2001:db8::1/64 brd 2001:db8::ff
                  }
                  track_script {
                    chk weight -20
                  }
                  track_interface {
                    eth1 weight -5
                  }
                  notify_master "/etc/ka/master.sh arg"
                  notify_backup /etc/ka/backup.sh
                  notify_fault /etc/ka/fault.sh
                  notify_stop /etc/ka/stop.sh
                  preempt_delay 30
                  garp_master_delay 2
                  garp_master_repeat 3
                  garp_master_refresh 60
                }
                """, d);
        // "; interval 0.5" is not keepalived syntax: the ';' ends nothing, so it is part of the script line
        Script s = c.script("chk").orElseThrow();
        assertEquals("/bin/true ; interval 0.5", s.command());
        assertEquals(Duration.ofSeconds(2), s.timeout());
        assertEquals(10, s.weight());
        assertTrue(s.reverse());
        assertEquals(3, s.rise());
        assertEquals(4, s.fall());
        assertTrue(s.initFail());
        Instance i = c.instance("VI_9").orElseThrow();
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertEquals(3, i.version());
        assertEquals(Duration.ofMillis(250), i.advertInterval());
        assertEquals(Optional.of(InetAddress.getByName("198.18.0.1")), i.unicastSourceIp());
        assertEquals(Optional.of("eth1"), i.virtualAddresses().get(0).device());
        assertEquals(Optional.of("eth1:vip"), i.virtualAddresses().get(0).label());
        assertEquals("2001:db8:0:0:0:0:0:1/64", i.virtualAddresses().get(1).cidr());
        assertEquals(OptionalInt.of(-20), i.trackScripts().get(0).weight());
        assertEquals(-5, i.trackInterfaces().get(0).weight());
        assertEquals(Optional.of("/etc/ka/master.sh arg"), i.notifyScripts().master());
        assertEquals(Optional.of("/etc/ka/stop.sh"), i.notifyScripts().stop());
        assertEquals(Duration.ofSeconds(30), i.preemptDelay());
        assertEquals(Optional.of(Duration.ofSeconds(2)), i.garpMasterDelay());
        assertEquals(OptionalInt.of(3), i.garpMasterRepeat());
        assertEquals(Optional.of(Duration.ofSeconds(60)), i.garpMasterRefresh());
        assertEquals(List.of("notification_email", "enable_script_security", "virtual_ipaddress brd"), TestFiles.keywords(d.warnings()));
    }

    @Test
    void unknownKeywordNamesFileLineAndKeyword() {
        Diagnostics d = new Diagnostics();
        parseText("""
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 1
                  frobnicate yes
                }
                """, d);
        Diagnostic e = d.errors().get(0);
        assertEquals("keepalived.conf", e.file());
        assertEquals(4, e.line());
        assertEquals("frobnicate", e.keyword());
        assertEquals(1, d.errors().size(), TestFiles.dump(d));
        assertTrue(e.toString().startsWith("[ERROR] keepalived.conf:4: 'frobnicate': "), e.toString());
    }

    @Test
    void missingClosingBraceNamesTheOpeningLine() {
        Diagnostics d = new Diagnostics();
        parseText("""
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 1
                  virtual_ipaddress {
                    198.18.0.100
                }
                """, d);
        assertTrue(d.errors().stream().anyMatch(e -> e.line() == 1 && e.keyword().equals("vrrp_instance")
                && e.message().contains("not closed")), TestFiles.dump(d));
    }

    @Test
    void strayClosingBrace() {
        Diagnostics d = new Diagnostics();
        parseText("global_defs {\n router_id a\n}\n}\n", d);
        assertEquals(List.of("}"), TestFiles.keywords(d.errors()));
        assertEquals(4, d.errors().get(0).line());
    }

    @Test
    void badNumbersNameTheRange() {
        Diagnostics d = new Diagnostics();
        parseText("""
                vrrp_script s {
                  script /bin/true
                  weight 300
                  interval abc
                }
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 256
                  priority 0
                  advert_int ${ADVERT}
                }
                """, d);
        List<Diagnostic> errors = d.errors();
        assertEquals(5, errors.size(), TestFiles.dump(d));
        assertEquals("must be an integer in [-253, 253], was '300'", errors.get(0).message());
        assertEquals(3, errors.get(0).line());
        assertTrue(errors.get(1).message().startsWith("must be a number of seconds in [0.01s, 3600s], was 'abc'"), errors.get(1).message());
        assertEquals("must be an integer in [1, 255], was '256'", errors.get(2).message());
        assertEquals("virtual_router_id", errors.get(2).keyword());
        assertEquals("must be an integer in [1, 255], was '0'", errors.get(3).message());
        assertTrue(errors.get(4).message().endsWith("(an unfilled template placeholder?)"), errors.get(4).message());
    }

    @Test
    void unfilledTemplateIsAnError() {
        Diagnostics d = new Diagnostics();
        parseText("""
                vrrp_instance VI_1 {
                    state ${STATE}
                    interface ${INTERFACE}
                    virtual_router_id ${ROUTER_ID}
                    priority ${PRIORITY}
                }
                """, d);
        assertEquals(List.of("state", "interface", "virtual_router_id", "priority"), TestFiles.keywords(d.errors()));
    }

    @Test
    void trackingAnUndefinedScriptIsAnError() {
        Diagnostics d = new Diagnostics();
        parseText("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n track_script {\n  nope\n }\n}\n", d);
        assertEquals(1, d.errors().size(), TestFiles.dump(d));
        assertEquals(5, d.errors().get(0).line());
        assertTrue(d.errors().get(0).message().contains("no vrrp_script called 'nope'"));
    }

    @Test
    void missingVirtualRouterIdAndInterface() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseText("vrrp_instance VI_1 {\n priority 100\n}\n", d);
        assertEquals(List.of("vrrp_instance"), TestFiles.keywords(d.errors()));
        assertTrue(d.errors().get(0).message().contains("virtual_router_id"));
        assertTrue(c.instances().isEmpty());
    }

    @Test
    void keepalivedsOwnCorrectionsOfPreemptSettings() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseText("""
                vrrp_instance OWNER {
                  interface eth0
                  virtual_router_id 1
                  priority 255
                  nopreempt
                }
                vrrp_instance DELAYED_MASTER {
                  state MASTER
                  interface eth0
                  virtual_router_id 2
                  preempt_delay 10
                }
                vrrp_instance DELAYED_NOPREEMPT {
                  state BACKUP
                  interface eth0
                  virtual_router_id 3
                  nopreempt
                  preempt_delay 10
                }
                """, d);
        assertFalse(d.hasErrors(), TestFiles.dump(d));
        assertTrue(c.instance("OWNER").orElseThrow().preempt());
        assertEquals(Duration.ZERO, c.instance("DELAYED_MASTER").orElseThrow().preemptDelay());
        assertFalse(c.instance("DELAYED_NOPREEMPT").orElseThrow().preempt());
        assertEquals(Duration.ZERO, c.instance("DELAYED_NOPREEMPT").orElseThrow().preemptDelay());
        assertEquals(3, d.warnings().stream().filter(w -> w.message().contains("keepalived c") || w.message().contains("resets"))
                .count(), TestFiles.dump(d));
    }

    @Test
    void aVridIsUsedOncePerInterfaceAndFamily() {
        Diagnostics d = new Diagnostics();
        parseText("""
                vrrp_instance A {
                  interface eth0
                  virtual_router_id 51
                  virtual_ipaddress { 198.18.0.100 }
                }
                vrrp_instance B6 {
                  interface eth0
                  virtual_router_id 51
                  version 3
                  virtual_ipaddress { fd00::100/64 }
                }
                vrrp_instance C {
                  interface eth0
                  virtual_router_id 51
                  virtual_ipaddress { 198.18.0.101 }
                }
                """, d);
        assertEquals(List.of("virtual_router_id"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertEquals(12, d.errors().get(0).line());
        assertTrue(d.errors().get(0).message().contains("by A (keepalived.conf:1)"), d.errors().get(0).message());
    }

    @Test
    void longPasswordIsTruncatedLikeKeepalived() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseText("vrrp_instance V {\n interface eth0\n virtual_router_id 1\n authentication {\n"
                + "  auth_type PASS\n  auth_pass 0123456789\n }\n}\n", d);
        assertEquals("01234567", c.instances().get(0).authentication().orElseThrow().password());
        assertTrue(d.warnings().stream().anyMatch(w -> w.keyword().equals("auth_pass") && w.line() == 6));
    }

    @Test
    void fractionalAdvertIntervalIsRoundedForVersion2() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseText("vrrp_instance V {\n interface eth0\n virtual_router_id 1\n advert_int 1.6\n}\n", d);
        assertEquals(Duration.ofSeconds(2), c.instances().get(0).advertInterval());
        assertTrue(d.warnings().stream().anyMatch(w -> w.keyword().equals("advert_int") && w.line() == 4), TestFiles.dump(d));
    }

    @Test
    void includeReadsGlobbedFilesInNameOrderAndReportsTheirOwnLines(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("keepalived.conf"), "global_defs {\n router_id a\n}\ninclude conf.d/*.conf\n");
        Files.createDirectory(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/10-script.conf"), "vrrp_script chk {\n script /bin/true\n}\n");
        Files.writeString(dir.resolve("conf.d/20-vi.conf"), "vrrp_instance VI_1 {\n interface eth0\n"
                + " virtual_router_id 7\n track_script {\n  chk\n }\n bogus 1\n}\n");
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = KeepalivedParser.parse(dir.resolve("keepalived.conf"), d);
        assertTrue(c.script("chk").isPresent());
        assertEquals(1, d.errors().size(), TestFiles.dump(d));
        assertEquals(dir.resolve("conf.d/20-vi.conf").toString(), d.errors().get(0).file());
        assertEquals(7, d.errors().get(0).line());
        assertEquals("bogus", d.errors().get(0).keyword());
    }

    @Test
    void includeCycleIsStopped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "include b.conf\n");
        Files.writeString(dir.resolve("b.conf"), "include a.conf\n");
        Diagnostics d = new Diagnostics();
        KeepalivedParser.parse(dir.resolve("a.conf"), d);
        assertEquals(1, d.errors().size(), TestFiles.dump(d));
        assertEquals(dir.resolve("b.conf").toString(), d.errors().get(0).file());
        assertTrue(d.errors().get(0).message().startsWith("include cycle: " + dir.resolve("a.conf") + " -> " + dir.resolve("b.conf")
                + " -> " + dir.resolve("a.conf") + ": " + dir.resolve("a.conf") + " is already being read"), TestFiles.dump(d));
    }

    @Test
    void missingIncludedFileIsAnError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "include missing.conf\n");
        Diagnostics d = new Diagnostics();
        KeepalivedParser.parse(dir.resolve("a.conf"), d);
        assertEquals(List.of("include"), TestFiles.keywords(d.errors()));
        assertEquals(1, d.errors().get(0).line());
    }

    @Test
    void syncGroupsNameDefinedInstancesOnce() {
        Diagnostics d = new Diagnostics();
        KeepalivedConfig c = parseText("""
                vrrp_sync_group VG_1 {
                  group {
                    VI_4
                    VI_6
                  }
                }
                vrrp_sync_group VG_2 {
                  group { VI_6 VI_X }
                  notify_master /bin/true
                }
                vrrp_instance VI_4 {
                  interface eth0
                  virtual_router_id 1
                }
                vrrp_instance VI_6 {
                  interface eth0
                  virtual_router_id 2
                  mcast_src_ip 198.18.0.1
                }
                """, d);
        assertEquals(List.of(new KeepalivedConfig.SyncGroup("VG_1", new Origin("keepalived.conf", 1), List.of("VI_4", "VI_6"))),
                c.syncGroups());
        assertEquals(List.of("VI_6", "VI_X", "notify_master"), TestFiles.keywords(d.errors()), TestFiles.dump(d));
        assertTrue(d.errors().get(0).message().contains("already in a sync group"), TestFiles.dump(d));
        assertEquals(8, d.errors().get(0).line());
        assertTrue(d.all().stream().anyMatch(x -> x.message().contains("no vrrp_instance called 'VI_X'")), TestFiles.dump(d));
        assertTrue(c.instance("VI_6").orElseThrow().unicastSourceIp().isPresent(), "mcast_src_ip is the advert source too");
    }

    @Test
    void unsupportedFeaturesAreErrorsNotSilence() {
        Diagnostics d = new Diagnostics();
        parseText("""
                virtual_server 10.0.0.1 80 { }
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 1
                  use_vmac
                  authentication {
                    auth_type AH
                    auth_pass x
                  }
                }
                """, d);
        assertEquals(List.of("virtual_server", "use_vmac", "auth_type"),
                TestFiles.keywords(d.errors()), TestFiles.dump(d));
    }
}
