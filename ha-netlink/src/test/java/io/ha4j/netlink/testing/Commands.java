package io.ha4j.netlink.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external programs with a bounded wait, capturing their output through temp files (no pipe stalls). */
final class Commands {

    static final long TIMEOUT_SECONDS = 30;

    private Commands() {
    }

    static CommandResult run(List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("ha4j-cmd", ".out");
            err = Files.createTempFile("ha4j-cmd", ".err");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new CommandResult(command, -1, read(out), read(err) + "\n(killed after " + TIMEOUT_SECONDS + "s)");
            }
            return new CommandResult(command, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            return new CommandResult(command, -1, "", "cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(command, -1, "", "interrupted");
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /** Whether {@code program} is on the PATH (or an absolute executable). */
    static boolean installed(String program) {
        if (program.startsWith("/")) {
            return Files.isExecutable(Path.of(program));
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
