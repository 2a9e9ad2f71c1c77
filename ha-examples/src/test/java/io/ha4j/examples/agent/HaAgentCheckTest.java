package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testkit.Await;
import io.ha4j.vrrp.VrrpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check} and the command line, run in-process through {@link HaAgent#run}. */
class HaAgentCheckTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** --check must never open a VRRP socket. */
    private static final VrrpTransport.Factory NO_TRANSPORT = spec -> {
        throw new AssertionError("a transport was opened for " + spec);
    };

    private final HaAgent agent = new HaAgent(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), NO_TRANSPORT);

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void seed001BothFilesAreValidWithWarnings() {
        int code = agent.run("--keepalived-conf", TestFiles.path("seed001-keepalived-master01.conf").toString(),
                "--haproxy-cfg", TestFiles.path("seed001-haproxy-example.cfg").toString(), "--check");
        assertEquals(0, code, err());
        assertEquals("Configuration file is valid\n", out());
        assertTrue(err().contains("[WARNING] " + TestFiles.path("seed001-haproxy-example.cfg") + ":52: 'option ssl-hello-chk': "),
                err());
        assertTrue(err().contains("/healthz is never requested"), err());
        assertTrue(!err().contains("[ERROR]"), err());
    }

    @Test
    void everySeedFileIsValid() {
        for (String name : new String[] {"seed000-keepalived-node1.conf", "seed001-keepalived-template.conf",
                "seed003-keepalived-master.conf", "seed003-keepalived-backup.conf"}) {
            assertEquals(0, new HaAgent(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), NO_TRANSPORT)
                    .run("--keepalived-conf", TestFiles.path(name).toString(), "--check"), name + ": " + err());
        }
        for (String name : new String[] {"seed001-haproxy-template.cfg", "seed002-haproxy.cfg", "seed003-haproxy.cfg"}) {
            assertEquals(0, new HaAgent(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), NO_TRANSPORT)
                    .run("--haproxy-cfg", TestFiles.path(name).toString(), "--check"), name + ": " + err());
        }
    }

    /** --check builds every balancer on the agent's shared event loop group, and shuts that group down before it returns. */
    @Test
    void checkLeavesNoEventLoopThreadBehind(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
                global
                    nbthread 2
                listen one
                    bind 127.0.0.1:7443
                    server b 127.0.0.1:6443
                listen two
                    bind 127.0.0.1:7444
                    server b 127.0.0.1:6444
                """);
        assertEquals(0, agent.run("--haproxy-cfg", cfg.toString(), "--check"), err());
        assertTrue(out().contains("Configuration file is valid"), out());
        Await.until(Duration.ofSeconds(10), "no " + AgentMapper.EVENT_LOOP_THREAD_PREFIX + " thread alive after --check",
                () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.isAlive() && t.getName().startsWith(AgentMapper.EVENT_LOOP_THREAD_PREFIX)));
    }

    @Test
    void anErrorMakesCheckExitOne(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, "frontend f\n    bind *:7443\n    default_backend b\nbackend b\n    balance bogus\n"
                + "    server s 127.0.0.1:6443 check\n");
        int code = agent.run("--haproxy-cfg", cfg.toString(), "--check");
        assertEquals(1, code);
        assertTrue(err().contains("[ERROR] " + cfg + ":5: 'balance': algorithm 'bogus' is not supported"), err());
        assertTrue(out().startsWith("Configuration file is invalid: 1 error(s)"), out());
    }

    @Test
    void unreadableFileIsAnError(@TempDir Path dir) {
        int code = agent.run("--keepalived-conf", dir.resolve("missing.conf").toString(), "--check");
        assertEquals(1, code);
        assertTrue(err().contains("missing.conf: 'file': cannot read"), err());
    }

    @Test
    void commandLineErrors() {
        assertEquals(2, agent.run("--check"));
        assertTrue(err().contains("give --keepalived-conf FILE, --haproxy-cfg FILE or both"), err());
        assertEquals(2, agent.run("--frobnicate"));
        assertEquals(2, agent.run("--haproxy-cfg"));
        assertEquals(0, agent.run("--help"));
        assertTrue(out().contains("--keepalived-conf FILE"), out());
    }

    @Test
    void aMissingInterfaceIsOnlyAWarning(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, "vrrp_instance VI_1 {\n    interface h4jnone0\n    virtual_router_id 9\n}\n");
        assertEquals(0, agent.run("--keepalived-conf", conf.toString(), "--check"), err());
        assertTrue(err().contains(":1: 'interface': 'VI_1' uses interface h4jnone0, which does not exist on this host"), err());
    }

    @Test
    void startFailuresGetAHint() {
        RuntimeException bind = new RuntimeException("start failed", new java.net.BindException("Cannot assign requested address"));
        assertTrue(HaAgent.startHint(bind).contains("ip_nonlocal_bind"));
        assertTrue(HaAgent.startHint(new RuntimeException("Address already in use")).contains("HAProxy still running"));
        assertEquals("", HaAgent.startHint(new RuntimeException("something else")));
    }

    @Test
    void aRealRunRefusesAnInvalidConfiguration(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, "vrrp_instance VI_1 {\n    priority 300\n}\n");
        assertEquals(1, agent.run("--keepalived-conf", conf.toString()));
        assertTrue(err().contains("not started"), err());
    }
}
