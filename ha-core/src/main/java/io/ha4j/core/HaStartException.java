package io.ha4j.core;

/**
 * {@link HaCluster#start()} failed: the named component did not start. Components started before it have
 * been closed again; failures while closing them are attached as {@linkplain #getSuppressed() suppressed}
 * exceptions.
 */
public final class HaStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String component;

    public HaStartException(String component, Throwable cause) {
        super("component '" + component + "' failed to start: " + cause, cause);
        this.component = component;
    }

    /** Name of the component whose start failed. */
    public String component() {
        return component;
    }
}
