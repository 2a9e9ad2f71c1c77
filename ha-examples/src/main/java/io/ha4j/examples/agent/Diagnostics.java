package io.ha4j.examples.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@link Diagnostic}s of one run (both files), in the order they were found, and is the one
 * place both parsers and the mapper report through. Not thread-safe: parsing and mapping run on one thread.
 */
public final class Diagnostics {

    /**
     * How many findings are kept and listed; the rest are only counted. A hostile file can have a million
     * bad lines, and a million lines of errors help nobody (the first ones show what is wrong).
     */
    public static final int MAX_LISTED = 1000;

    /**
     * After this many errors a parser stops reading its file, as compilers stop after so many errors: the
     * first ones show what is wrong, and a hostile file of a million bad lines then costs no more to check
     * than a file of a thousand.
     */
    public static final int MAX_ERRORS = 1000;

    private final List<Diagnostic> all = new ArrayList<>();
    private int errorCount;
    private int warningCount;

    public void error(String file, int line, String keyword, String message) {
        report(Diagnostic.Severity.ERROR, file, line, keyword, message);
    }

    public void warn(String file, int line, String keyword, String message) {
        report(Diagnostic.Severity.WARNING, file, line, keyword, message);
    }

    void report(Diagnostic.Severity severity, String file, int line, String keyword, String message) {
        if (all.size() < MAX_LISTED) {
            all.add(new Diagnostic(severity, file, line, keyword, message));
        }
        if (severity == Diagnostic.Severity.ERROR) {
            errorCount++;
        } else {
            warningCount++;
        }
    }

    void error(Origin at, String keyword, String message) {
        error(at.file(), at.line(), keyword, message);
    }

    void warn(Origin at, String keyword, String message) {
        warn(at.file(), at.line(), keyword, message);
    }

    /** An error about {@code line}, named by its keyword. */
    void error(ConfigLine line, String message) {
        error(line.file(), line.line(), line.keyword(), message);
    }

    /** A warning about {@code line}, named by its keyword. */
    void warn(ConfigLine line, String message) {
        warn(line.file(), line.line(), line.keyword(), message);
    }

    /** Reports an error unless {@code line} has exactly {@code count} words after its keyword. */
    boolean expectArgs(ConfigLine line, int count) {
        int given = line.args().size();
        if (given == count) {
            return true;
        }
        error(line, count == 0 ? "takes no argument, got " + given
                : "needs exactly " + count + " argument" + (count == 1 ? "" : "s") + ", got " + given);
        return false;
    }

    /** The findings kept, at most {@link #MAX_LISTED}, in the order found. */
    public List<Diagnostic> all() {
        return List.copyOf(all);
    }

    public List<Diagnostic> errors() {
        return all.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).toList();
    }

    public List<Diagnostic> warnings() {
        return all.stream().filter(d -> d.severity() == Diagnostic.Severity.WARNING).toList();
    }

    public boolean hasErrors() {
        return errorCount > 0;
    }

    /** Errors so far, listed or not; a section parser compares it before and after to know whether it added any. */
    public int errorCount() {
        return errorCount;
    }

    public int warningCount() {
        return warningCount;
    }

    /** Findings counted but not kept (past {@link #MAX_LISTED}). */
    public int unlisted() {
        return errorCount + warningCount - all.size();
    }

    @Override
    public String toString() {
        return (errorCount + warningCount) + " diagnostics (" + errorCount + " errors)";
    }
}
