package io.ha4j.examples.controller;

import java.util.ArrayList;
import java.util.List;

/**
 * Stands for the resource a controller writes to (a database row, an object store, a Kubernetes object): it
 * refuses a write whose fencing token is smaller than the largest it has accepted, so a former leader that has not
 * yet noticed it lost (a long pause, a cut link) cannot overwrite its successor's work. Real resources do the same
 * with a conditional write (a version column, an etcd transaction comparing a revision).
 */
public final class FencedLedger {

    private final List<String> entries = new ArrayList<>();
    private long highestToken;
    private long refused;

    /** Appends {@code entry} if {@code token} is not older than every token seen; returns whether it did. */
    public synchronized boolean append(long token, String entry) {
        if (token < highestToken) {
            refused++;
            return false;
        }
        highestToken = token;
        entries.add(token + " " + entry);
        return true;
    }

    public synchronized List<String> entries() {
        return List.copyOf(entries);
    }

    public synchronized long highestToken() {
        return highestToken;
    }

    public synchronized long refused() {
        return refused;
    }
}
