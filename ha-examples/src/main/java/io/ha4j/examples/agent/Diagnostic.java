package io.ha4j.examples.agent;

import java.util.Objects;

/**
 * One finding about a configuration file: an error (the file cannot be run as written) or a warning (it
 * can, but something in it has no effect or does not do what it seems to).
 *
 * @param severity error or warning
 * @param file the file as the user named it (or as an {@code include} named it)
 * @param line 1-based line, or 0 when the finding is about the file as a whole
 * @param keyword the keyword the finding is about, e.g. {@code "option ssl-hello-chk"}
 * @param message what is wrong and, where there is one, what to do instead
 */
public record Diagnostic(Severity severity, String file, int line, String keyword, String message) {

    /** How bad a finding is. {@code --check} fails on any {@link #ERROR}. */
    public enum Severity { ERROR, WARNING }

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line} as compilers print it. */
    public String location() {
        return line > 0 ? file + ":" + line : file;
    }

    /** One line in the style of {@code haproxy -c}: {@code [WARNING] haproxy.cfg:47: 'option ssl-hello-chk': ...}. */
    @Override
    public String toString() {
        return "[" + severity + "] " + location() + ": '" + keyword + "': " + message;
    }
}
