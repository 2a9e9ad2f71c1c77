package io.ha4j.examples.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@link Diagnostic}s of one run (both files), in the order they were found. Not thread-safe:
 * parsing and mapping run on one thread.
 */
public final class Diagnostics {

    private final List<Diagnostic> all = new ArrayList<>();

    public void error(String file, int line, String keyword, String message) {
        all.add(new Diagnostic(Diagnostic.Severity.ERROR, file, line, keyword, message));
    }

    public void warn(String file, int line, String keyword, String message) {
        all.add(new Diagnostic(Diagnostic.Severity.WARNING, file, line, keyword, message));
    }

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
        return all.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
    }

    @Override
    public String toString() {
        return all.size() + " diagnostics (" + errors().size() + " errors)";
    }
}
