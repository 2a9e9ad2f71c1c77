package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.vrrp.VrrpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures and odd input (issue 11, item 7): each ends in one clear line (or a diagnostic with
 * file and line), never a stack trace, an exception class name, a megabyte of echoed input, or a run that
 * does nothing forever. Real runs are a child JVM started like {@code java -jar ha-agent.jar}.
 */
class HaAgentOddInputTest {

    private static final VrrpTransport.Factory NO_TRANSPORT = spec -> {
        throw new AssertionError("a transport was opened for " + spec);
    };

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String... args) {
        return new HaAgent(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                NO_TRANSPORT).run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The agent's main in a JVM of its own; its exit code and everything it printed. */
    private record Run(int exitCode, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    private static Run runAgent(Path dir, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                HaAgent.class.getName()));
        command.addAll(List.of(args));
        Path output = dir.resolve("agent.out");
        Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!agent.waitFor(60, TimeUnit.SECONDS)) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the agent did not exit:\n" + Files.readString(output));
        }
        return new Run(agent.exitValue(), Files.readString(output));
    }

    private static void assertNoStackTrace(Run run) {
        assertTrue(run.lines().stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")), run.output());
        assertFalse(run.output().contains("Exception"), run.output());
    }

    @Test
    void aPortInUseIsOneLine(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, """
                    defaults
                        mode tcp
                        timeout connect 1s
                        timeout client 1m
                        timeout server 1m
                    frontend apiserver
                        bind 127.0.0.1:%d
                        default_backend apiserver
                    backend apiserver
                        server n1 127.0.0.1:9
                    """.formatted(taken.getLocalPort()));
            Run run = runAgent(dir, "--haproxy-cfg", cfg.toString());
            assertEquals(1, run.exitCode(), run.output());
            List<String> agentLines = run.lines().stream().filter(l -> l.startsWith("ha-agent:")).toList();
            assertEquals(1, agentLines.size(), run.output());
            assertTrue(agentLines.get(0).startsWith("ha-agent: failed to start component 'apiserver': "), run.output());
            assertTrue(agentLines.get(0).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use"), run.output());
            assertTrue(agentLines.get(0).contains("(is HAProxy still running on this port?"), run.output());
            assertNoStackTrace(run);
        }
    }

    @Test
    void aMissingInterfaceStopsARealRunWithItsFileAndLine(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, """
                vrrp_instance VI_1 {
                    interface h4jnone0
                    virtual_router_id 9
                    virtual_ipaddress {
                        198.18.9.9/32
                    }
                }
                """);
        Run run = runAgent(dir, "--keepalived-conf", conf.toString());
        assertEquals(1, run.exitCode(), run.output());
        assertEquals(List.of("[ERROR] " + conf + ":1: 'interface': 'VI_1' uses interface h4jnone0, which does not exist on this host",
                "ha-agent: not started: the configuration has 1 error(s)"), run.lines(), run.output());
    }

    @Test
    void aMegabyteKeywordIsNotEchoedWhole(@TempDir Path dir) throws Exception {
        String huge = "x".repeat(1_000_000);
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, "global\n    " + huge + "\n    maxconn " + huge + "\n");
        assertEquals(1, check("--haproxy-cfg", cfg.toString(), "--check"));
        assertTrue(err().length() < 4000, err().length() + " characters printed");
        assertTrue(err().contains(cfg + ":2: '" + "x".repeat(Diagnostic.MAX_KEYWORD_CHARS) + "...["
                + (huge.length() - Diagnostic.MAX_KEYWORD_CHARS) + " more characters]': unknown or unsupported keyword in global"), err());
        assertTrue(err().contains(cfg + ":3: 'maxconn': must be an integer in [1, 2147483647], was '"), err());
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, huge + " {\n}\n");
        assertEquals(1, check("--keepalived-conf", conf.toString(), "--check"));
        assertTrue(err().length() < 8000, err().length() + " characters printed");
    }

    @Test
    void controlCharactersAreEscaped(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, "global\n    \u001b[2Jclear\n");
        assertEquals(1, check("--haproxy-cfg", cfg.toString(), "--check"));
        assertTrue(err().contains(":2: '\\x1b[2Jclear': unknown or unsupported keyword in global"), err());
        assertFalse(err().contains("\u001b"), err());
    }

    @Test
    void anEmptyConfigurationDoesNotPassCheck(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), "global\n    maxconn 100\ndefaults\n    mode tcp\n");
        assertEquals(1, check("--haproxy-cfg", cfg.toString(), "--check"));
        assertTrue(err().contains("[ERROR] " + cfg + ": 'frontend': the configuration defines no frontend or listen section with a "
                + "bind (HAProxy: no listener); there is nothing to run"), err());
        Path conf = Files.writeString(dir.resolve("keepalived.conf"), "");
        assertEquals(1, check("--keepalived-conf", conf.toString(), "--check"));
        assertTrue(err().contains("[ERROR] " + conf + ": 'vrrp_instance': the configuration defines no vrrp_instance; there is "
                + "nothing to run"), err());
        assertEquals(1, check("--keepalived-conf", conf.toString()), "a real run must refuse it too");
    }

    @Test
    void oneEmptyFileBesideAWorkingOneIsAWarning(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("keepalived.conf"), "");
        assertEquals(0, check("--keepalived-conf", conf.toString(), "--haproxy-cfg", TestFiles.path("seed002-haproxy.cfg").toString(),
                "--check"), err());
        assertTrue(err().contains("[WARNING] " + conf + ": 'vrrp_instance': the configuration defines no vrrp_instance"), err());
    }

    @Test
    void twoFrontendsOnOneAddressAreAnErrorNamingBoth(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
                defaults
                    mode tcp
                    timeout connect 1s
                    timeout client 1m
                    timeout server 1m
                frontend a
                    bind 127.0.0.1:7443
                    default_backend b
                frontend c
                    bind 127.0.0.1:7443
                    default_backend b
                frontend d
                    bind *:7443
                    default_backend b
                frontend e
                    bind 127.0.0.2:7443,127.0.0.1:7444
                    default_backend b
                backend b
                    server s 127.0.0.1:6443
                """);
        assertEquals(1, check("--haproxy-cfg", cfg.toString(), "--check"));
        assertTrue(err().contains("[ERROR] " + cfg + ":10: 'bind': 'c' listens on 127.0.0.1:7443, and so does 'a' on 127.0.0.1:7443 ("
                + cfg + ":7): one address and port can have one listener"), err());
        assertTrue(err().contains("[ERROR] " + cfg + ":13: 'bind': 'd' listens on *:7443, and so does 'a' on 127.0.0.1:7443"), err());
        assertEquals(2, err().lines().filter(l -> l.startsWith("[ERROR]")).count(), err());
    }
}
