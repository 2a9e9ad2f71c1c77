package io.ha4j.examples.agent;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Commands and bounded waits shared by the agent's privileged tests, which run the agent and keepalived as
 * separate processes in namespaces of their own. Every command is bounded to 10 s, every wait to 30 s.
 */
final class Shell {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private Shell() {
    }

    /** Fails (never skips) unless this is root and each program answers {@code <program> <versionFlag>}. */
    static void requireRoot(String... programAndVersionFlag) {
        if (!"0".equals(output("id", "-u").trim())) {
            fail("needs root (network namespaces, raw sockets, rtnetlink); run with -Pprivileged as root");
        }
        for (int i = 0; i + 1 < programAndVersionFlag.length; i += 2) {
            if (quietly(programAndVersionFlag[i], programAndVersionFlag[i + 1]) != 0) {
                fail("needs " + programAndVersionFlag[i] + ": apt-get install "
                        + ("ip".equals(programAndVersionFlag[i]) ? "iproute2" : programAndVersionFlag[i]));
            }
        }
    }

    /** {@code ip -n <ns> -o addr show dev <dev>}. */
    static String addresses(String ns, String dev) {
        return output("ip", "-n", ns, "-o", "addr", "show", "dev", dev);
    }

    /** Waits up to 30 s for {@code condition}; fails early, with {@code output}'s content, if {@code process} exits. */
    static void awaitTrue(String what, BooleanSupplier condition, Process process, Path output) throws Exception {
        boolean held = Await.holdsWithin(DEADLINE, () -> condition.getAsBoolean() || (process != null && !process.isAlive()));
        if (held && condition.getAsBoolean()) {
            return;
        }
        if (process != null && !process.isAlive()) {
            fail("process exited with " + process.exitValue() + " before: " + what + "\n" + read(output));
        }
        fail("timed out waiting until " + what + "\n" + read(output));
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Runs a command that must succeed. */
    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
    }

    /** A command's output; empty if it could not run. */
    static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    /** A command's exit code, output discarded; -1 if it could not run or took over 10 s. */
    static int quietly(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
