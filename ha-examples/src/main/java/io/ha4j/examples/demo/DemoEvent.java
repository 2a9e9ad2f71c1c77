package io.ha4j.examples.demo;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing that happened in the demo, as the nodes and the client report it: who ({@link #origin}: a node
 * name or {@code client}), what kind of thing ({@link Kind}), about what ({@link #subject}: a backend name, a
 * VRRP instance, a request), its new {@link #state}, and free text.
 *
 * <p>Node and client processes print events on their standard output as one tab-separated line each
 * ({@link #encode()}), which the orchestrator reads back with {@link #decode(String)}; the in-process
 * simulation hands them over directly. {@link #nanoTime} is read from the system's monotonic clock, which
 * every process on the host shares (Linux {@code CLOCK_MONOTONIC} is not namespaced by network namespaces),
 * so events of different processes order correctly on one timeline.
 */
public record DemoEvent(long nanoTime, String origin, Kind kind, String subject, String state, String detail) {

    /** Marks event lines among a process's other output. */
    static final String LINE_PREFIX = "@ha4j\t";

    /** What an event is about. */
    public enum Kind {
        /** A node's VRRP state: subject = instance name, state = INIT, BACKUP, MASTER, FAULT, STOPPED. */
        VRRP,
        /** A backend's health as one node's balancer sees it: subject = backend name, state = UP or DOWN. */
        BACKEND,
        /** A stand-in apiserver's mode: state = SERVING, SHUTTING_DOWN, STOPPED. */
        APISERVER,
        /** A node process's lifecycle: state = STARTED, STOPPING, FAILED. */
        NODE,
        /** One client request through the VIP: state = OK or FAILED, subject = the apiserver that answered. */
        REQUEST,
        /** The client's watch: state = CONNECTED, EVENT, BROKEN; subject = the apiserver serving it. */
        WATCH
    }

    public DemoEvent {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(kind, "kind");
        subject = subject == null ? "" : subject;
        Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }

    /** One line, without tabs or line breaks inside fields. */
    String encode() {
        return LINE_PREFIX + nanoTime + '\t' + clean(origin) + '\t' + kind + '\t' + clean(subject) + '\t'
                + clean(state) + '\t' + clean(detail);
    }

    /** The event on {@code line}, or empty when the line is not an event line (a log line, say). */
    static Optional<DemoEvent> decode(String line) {
        if (line == null || !line.startsWith(LINE_PREFIX)) {
            return Optional.empty();
        }
        String[] f = line.substring(LINE_PREFIX.length()).split("\t", -1);
        if (f.length != 6) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DemoEvent(Long.parseLong(f[0]), f[1], Kind.valueOf(f[2]), f[3], f[4], f[5]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
