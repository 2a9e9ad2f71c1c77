package io.ha4j.core;

import io.ha4j.core.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link CommandCheck} with real processes ({@code /bin/sh}, {@code sleep}). */
@Timeout(60)
class CommandCheckTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void exitZeroPassesWithTheOutputInTheReason() throws Exception {
        CheckResult r = CommandCheck.builder("sh", "-c", "echo hello; echo world").build().run(TIMEOUT);
        assertTrue(r.isPassed(), r::toString);
        assertEquals("exit 0: hello world", r.reason());
    }

    @Test
    void nonZeroExitFailsWithStderrInTheReason() throws Exception {
        CheckResult r = CommandCheck.builder("sh", "-c", "echo 'apiserver not ready' >&2; exit 3").build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertFalse(r.timedOut());
        assertEquals("exit 3: apiserver not ready", r.reason());
    }

    @Test
    void onlyTheLastBytesOfOutputAreKept() throws Exception {
        CheckResult r = CommandCheck.builder("sh", "-c", "i=0; while [ $i -lt 500 ]; do printf 'abcdefghij'; i=$((i+1)); done; printf END")
                .outputLimit(20).build().run(TIMEOUT);
        assertEquals("exit 0: " + lastChars(20), r.reason());
    }

    private static String lastChars(int n) {
        String all = "abcdefghij".repeat(500) + "END";
        return all.substring(all.length() - n);
    }

    @Test
    void environmentAndWorkingDirectoryAreApplied() throws Exception {
        CheckResult r = CommandCheck.builder(List.of("sh", "-c", "echo \"$HA4J_TEST\" \"$(pwd)\""))
                .environment("HA4J_TEST", "value-1")
                .workingDirectory(dir)
                .build().run(TIMEOUT);
        assertEquals("exit 0: value-1 " + dir.toRealPath(), r.reason());
    }

    @Test
    void aMissingProgramFails() throws Exception {
        CheckResult r = CommandCheck.builder("/nonexistent/ha4j-check").build().run(TIMEOUT);
        assertFalse(r.isPassed());
        assertTrue(r.reason().startsWith("cannot run /nonexistent/ha4j-check: "), r::toString);
    }

    @Test
    void timeoutKillsTheCommandAndItsChildren() throws Exception {
        CommandCheck check = CommandCheck.builder("sh", "-c",
                "echo $$ > sh.pid; sleep 60 & echo $! > child.pid; echo started; wait")
                .workingDirectory(dir).build();
        CheckResult r = check.run(Duration.ofMillis(2000));
        assertTrue(r.timedOut(), r::toString);
        assertEquals("timeout after 2s, command killed: started", r.reason());
        assertGone(pid("sh.pid"));
        assertGone(pid("child.pid"));
    }

    @Test
    void aCommandIgnoringSigtermIsKilled() throws Exception {
        CommandCheck check = CommandCheck.builder("sh", "-c",
                "trap '' TERM; echo $$ > sh.pid; sleep 60 & echo $! > child.pid; wait; wait")
                .workingDirectory(dir).terminationGrace(Duration.ofMillis(200)).build();
        CheckResult r = check.run(Duration.ofMillis(2000));
        assertTrue(r.timedOut(), r::toString);
        assertGone(pid("sh.pid"));
        assertGone(pid("child.pid"));
    }

    @Test
    void interruptKillsTheCommandAndRethrows() throws Exception {
        CommandCheck check = CommandCheck.builder("sh", "-c", "echo $$ > sh.pid; sleep 60 & echo $! > child.pid; wait")
                .workingDirectory(dir).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                check.run(Duration.ofSeconds(30));
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "command-check-runner");
        runner.start();
        long child = awaitPid("child.pid");
        runner.interrupt();
        runner.join(20_000);
        assertFalse(runner.isAlive(), "the check returned after the interrupt");
        assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
        assertGone(pid("sh.pid"));
        assertGone(child);
    }

    private long pid(String file) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(file), StandardCharsets.US_ASCII).trim());
    }

    private long awaitPid(String file) throws Exception {
        Path p = dir.resolve(file);
        Await.untilNoThrow(Duration.ofSeconds(10), file + " written", () -> Files.exists(p) && !Files.readString(p).isBlank());
        return pid(file);
    }

    /** The process has exited (a zombie waiting to be reaped by init counts as gone: it runs no code). */
    private static void assertGone(long pid) throws Exception {
        List<String> states = new ArrayList<>();
        boolean gone = Await.holdsWithin(Duration.ofSeconds(5), () -> {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            String state = procState(pid);
            boolean exited = h.isEmpty() || !h.get().isAlive() || "Z".equals(state);
            if (!exited && (states.isEmpty() || !java.util.Objects.equals(states.get(states.size() - 1), state))) {
                states.add(state); // each change of state once, for the failure message
            }
            return exited;
        });
        if (!gone) {
            throw new AssertionError("process " + pid + " is still running (states " + states + ")");
        }
    }

    private static String procState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void descriptionNamesTheCommand() {
        CommandCheck check = CommandCheck.builder("check.sh", "a b").build();
        assertEquals("command check.sh a b", check.description());
        assertEquals("CommandCheck[check.sh a b]", check.toString());
    }
}
