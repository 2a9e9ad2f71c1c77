package io.ha4j.examples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external program ({@code ip}, {@code keytool}) with a deadline, and returns what it printed. */
final class Commands {

    private Commands() {
    }

    /**
     * Runs {@code command} and returns its standard output and error together. The output goes to a temporary
     * file, so a program that hangs is killed at the deadline instead of blocking a reader.
     *
     * @throws IOException when it cannot start, does not finish within {@code timeoutSeconds} (it is then
     *                     killed), or exits with a non-zero status; the message has the command and its output
     */
    static String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile("ha4j-demo-cmd", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new IOException("cannot run '" + command.get(0) + "': " + e.getMessage(), e);
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out.trim());
            }
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
