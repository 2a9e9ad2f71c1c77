package io.ha4j.core;

import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command and passes when it exits with status 0 within the timeout: keepalived's
 * {@code vrrp_script}, HAProxy's {@code external-check command}.
 *
 * <pre>{@code
 * HealthCheck check = CommandCheck.builder("/usr/local/bin/check-apiserver.sh", "198.18.0.11")
 *         .environment("KUBECONFIG", "/etc/kubernetes/admin.conf")
 *         .build();
 * }</pre>
 *
 * <p>The command runs directly (no shell; pass {@code "sh", "-c", "..."} for one), with the JVM's
 * environment plus {@link Builder#environment}, stdin closed, and stdout and stderr together captured to a
 * temporary file; the last {@link Builder#outputLimit} bytes (default 512) become part of the reason, e.g.
 * {@code "exit 1: apiserver not ready"}.
 *
 * <p><b>Nothing is left running.</b> When the timeout passes, or the checker interrupts the check (timeout on
 * its clock, or close), the command and every process it started are sent SIGTERM, given
 * {@link Builder#terminationGrace} (default 1s) to exit, and then killed with SIGKILL. Descendants are found
 * through {@link ProcessHandle#descendants()} before the parent is signalled, since a child whose parent died
 * is re-parented and can no longer be found. A process that double-forks and leaves its process tree (a
 * daemon) before the timeout cannot be tracked by any means Java offers; such commands do not belong in a
 * health check.
 */
public final class CommandCheck implements HealthCheck {

    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final int outputLimit;
    private final Duration terminationGrace;

    private CommandCheck(Builder b) {
        this.command = List.copyOf(b.command);
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.outputLimit = b.outputLimit != null ? b.outputLimit : 512;
        this.terminationGrace = b.terminationGrace != null ? b.terminationGrace : Duration.ofSeconds(1);
    }

    /** A check running {@code command} (program, then arguments). */
    public static Builder builder(String... command) {
        return new Builder(command == null ? null : Arrays.asList(command));
    }

    /** A check running {@code command} (program, then arguments). */
    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    @Override
    public CheckResult run(Duration timeout) throws InterruptedException, IOException {
        Path output = Files.createTempFile("ha4j-check-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            pb.environment().putAll(environment);
            if (workingDirectory != null) {
                pb.directory(workingDirectory.toFile());
            }
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                return CheckResult.failed("cannot run " + command.get(0) + ": " + e.getMessage());
            }
            process.getOutputStream().close();
            boolean exited;
            try {
                exited = process.waitFor(Math.max(1L, timeout.toNanos()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                killTree(process);
                throw e;
            }
            if (!exited) {
                killTree(process);
                return CheckResult.timedOut("timeout after " + Validation.format(timeout) + ", command killed"
                        + withOutput(tail(output)));
            }
            int exit = process.exitValue();
            String text = "exit " + exit + withOutput(tail(output));
            return exit == 0 ? CheckResult.passed(text) : CheckResult.failed(text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * SIGTERM to the process and its descendants, SIGKILL to what is left after the grace period. Runs to the
     * end even if the calling thread is interrupted, before or during the kill (the interrupt is kept for the
     * caller).
     */
    private void killTree(Process process) {
        boolean interrupted = Thread.interrupted();
        List<ProcessHandle> tree = treeOf(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        interrupted |= awaitExit(tree, terminationGrace);
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcessHandle h : tree) {
            if (isRunning(h)) {
                left.addAll(treeOf(h));
            }
        }
        if (!left.isEmpty()) {
            left.forEach(ProcessHandle::destroyForcibly);
            interrupted |= awaitExit(left, Duration.ofSeconds(5));
        }
        interrupted |= awaitExit(List.of(process.toHandle()), Duration.ofSeconds(5)); // our child, reaped by the JDK
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The handle and its descendants, children before the parent is signalled so none is re-parented unseen. */
    private static List<ProcessHandle> treeOf(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>();
        root.descendants().forEach(tree::add);
        tree.add(root);
        return tree;
    }

    /**
     * Waits until none of {@code handles} runs or {@code wait} has passed, polling every 10 ms. Interrupts do
     * not cut the wait short (the kill must finish); returns whether one arrived.
     */
    private static boolean awaitExit(List<ProcessHandle> handles, Duration wait) {
        boolean interrupted = false;
        long deadline = Clock.system().nanoTime() + wait.toNanos();
        while (handles.stream().anyMatch(CommandCheck::isRunning) && Clock.system().nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    /**
     * Whether the process still runs code. {@link ProcessHandle#isAlive()} is also true for a zombie, which has
     * exited and only waits for its new parent (init, or a container's PID 1 that may reap slowly) to collect
     * it; on Linux the state in {@code /proc/<pid>/stat} tells them apart.
     */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"), StandardCharsets.US_ASCII);
            int nameEnd = stat.lastIndexOf(')');
            char state = stat.charAt(nameEnd + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return handle.isAlive(); // no procfs (not Linux) or the process just went away
        }
    }

    private String tail(Path output) throws IOException {
        if (outputLimit == 0) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            int n = (int) Math.min(length, outputLimit);
            byte[] bytes = new byte[n];
            file.seek(length - n);
            file.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            StringBuilder b = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                b.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
            }
            return b.toString().trim().replaceAll(" {2,}", " ");
        }
    }

    private static String withOutput(String output) {
        return output.isEmpty() ? "" : ": " + output;
    }

    public List<String> command() {
        return command;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    public int outputLimit() {
        return outputLimit;
    }

    public Duration terminationGrace() {
        return terminationGrace;
    }

    @Override
    public String description() {
        return "command " + String.join(" ", command);
    }

    @Override
    public String toString() {
        return "CommandCheck[" + String.join(" ", command) + "]";
    }

    /** Builds a {@link CommandCheck}; options are validated when set. */
    public static final class Builder {
        private final List<String> command;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private Integer outputLimit;
        private Duration terminationGrace;

        private Builder(List<String> command) {
            Validation.notNull("command", command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("command must have at least the program, was empty");
            }
            for (String arg : command) {
                Validation.notNull("command argument", arg);
            }
            if (command.get(0).isBlank()) {
                throw new IllegalArgumentException("command program must not be blank");
            }
            this.command = new ArrayList<>(command);
        }

        /** Adds or replaces an environment variable on top of the JVM's environment. */
        public Builder environment(String name, String value) {
            Validation.notNull("environment name", name);
            Validation.notNull("environment value of " + name, value);
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment name must be non-empty without '=' or NUL, was '" + name + "'");
            }
            environment.put(name, value);
            return this;
        }

        /** The directory the command runs in; default the JVM's working directory. */
        public Builder workingDirectory(Path directory) {
            Validation.setOnce("workingDirectory", workingDirectory);
            this.workingDirectory = Validation.notNull("workingDirectory", directory);
            return this;
        }

        /** How many trailing bytes of output go into the reason, in [0, 65536]; default 512. */
        public Builder outputLimit(int bytes) {
            Validation.setOnce("outputLimit", outputLimit);
            this.outputLimit = Validation.inRange("outputLimit", bytes, 0, 65536);
            return this;
        }

        /** How long a timed-out command may take to exit after SIGTERM before SIGKILL, in [0s, 60s]; default 1s. */
        public Builder terminationGrace(Duration grace) {
            Validation.setOnce("terminationGrace", terminationGrace);
            this.terminationGrace = Validation.inRange("terminationGrace", grace, Duration.ZERO, Duration.ofSeconds(60));
            return this;
        }

        public CommandCheck build() {
            return new CommandCheck(this);
        }
    }
}
