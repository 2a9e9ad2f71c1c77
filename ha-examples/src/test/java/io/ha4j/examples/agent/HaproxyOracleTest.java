package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real HAProxy as the oracle: for every seed haproxy.cfg and every file in {@code agent/haproxy-oracle/},
 * {@code haproxy -c} and {@code ha-agent --haproxy-cfg FILE --check} must agree on valid (0) or invalid (the
 * agent exits 1; HAProxy exits 1 for errors and 2 for a file with no listener).
 * The files are named {@code valid-*} or {@code invalid-*} for what HAProxy says, so a change of either side
 * shows. Needs the haproxy program (Debian package haproxy); fails, never skips, without it.
 */
@Tag("privileged")
class HaproxyOracleTest {

    @Test
    void haproxyAndTheAgentAgreeOnValidity() throws Exception {
        if (exitCode(List.of("haproxy", "-v")) != 0) {
            fail("needs haproxy: apt-get install haproxy");
        }
        List<Path> files = new ArrayList<>();
        for (String seed : List.of("seed001-haproxy-example.cfg", "seed001-haproxy-template.cfg", "seed002-haproxy.cfg",
                "seed003-haproxy.cfg")) {
            files.add(TestFiles.path(seed));
        }
        try (Stream<Path> oracle = Files.list(TestFiles.path("haproxy-oracle"))) {
            oracle.sorted().forEach(files::add);
        }
        List<String> disagreements = new ArrayList<>();
        for (Path file : files) {
            int haproxy = exitCode(List.of("haproxy", "-c", "-f", file.toString()));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int agent = new HaAgent(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                    spec -> {
                        throw new AssertionError("no transport in --check");
                    }).run("--haproxy-cfg", file.toString(), "--check");
            String name = file.getFileName().toString();
            if (name.startsWith("valid-") && haproxy != 0 || name.startsWith("invalid-") && haproxy == 0) {
                disagreements.add(name + ": named for the other verdict, haproxy -c exits " + haproxy);
            }
            if ((agent == 0) != (haproxy == 0)) {
                disagreements.add(name + ": haproxy -c exits " + haproxy + ", the agent " + agent + "\n" + err.toString(StandardCharsets.UTF_8));
            }
        }
        assertEquals(List.of(), disagreements);
    }

    private static int exitCode(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return p.exitValue();
    }
}
