package io.ha4j.netlink.testing;

import java.util.List;

/** The outcome of a command run by {@link TestNetwork}: exit code and captured output. */
public final class CommandResult {

    private final List<String> command;
    private final int exitCode;
    private final String stdout;
    private final String stderr;

    CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public List<String> command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stdout() {
        return stdout;
    }

    public String stderr() {
        return stderr;
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns stdout, or throws when the command failed, with everything it printed. */
    public String orThrow() {
        if (exitCode != 0) {
            throw new IllegalStateException(this.toString());
        }
        return stdout;
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " -> exit " + exitCode
                + (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip())
                + (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip());
    }
}
