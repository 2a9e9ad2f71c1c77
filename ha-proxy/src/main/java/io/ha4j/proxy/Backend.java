package io.ha4j.proxy;

import io.ha4j.core.HealthCheck;
import io.ha4j.core.internal.Validation;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One server of a {@link TcpBalancer}'s pool (HAProxy's {@code server} line): a name, an address, a weight,
 * whether it is a backup, and optionally its own health check.
 *
 * <pre>{@code
 * Backend api1 = Backend.builder("api-1", "198.18.0.11", 6443).weight(100).build();
 * Backend bootstrap = Backend.builder("bootstrap", "198.18.0.10", 6443).backup().build();
 * }</pre>
 *
 * <p>The host is resolved once, when the backend is built (use IP literals for control-plane nodes, as the
 * seeds do; a DNS lookup at every connect would put the resolver on the relay's path).
 */
public final class Backend {

    /** Largest weight (HAProxy's limit). */
    public static final int MAX_WEIGHT = 256;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String name;
    private final InetSocketAddress address;
    private final int weight;
    private final boolean backup;
    private final HealthCheck check;

    private Backend(Builder b) {
        this.name = b.name;
        this.address = b.address;
        this.weight = b.weight != null ? b.weight : 1;
        this.backup = b.backup != null && b.backup;
        this.check = b.check;
    }

    /** A backend {@code name} at {@code host:port}. */
    public static Builder builder(String name, String host, int port) {
        return new Builder(name, host, port);
    }

    /** A primary backend of weight 1 with the balancer's default check. */
    public static Backend of(String name, String host, int port) {
        return builder(name, host, port).build();
    }

    /** Unique within a balancer; letters, digits, {@code . _ -}, at most 64 characters. */
    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The configured weight in [0, 256]; 0 means drain (no new connections). */
    public int weight() {
        return weight;
    }

    /** Whether this server only takes connections when no primary server can. */
    public boolean isBackup() {
        return backup;
    }

    /** This backend's own check, if one was set; otherwise the balancer's default check applies. */
    public Optional<HealthCheck> check() {
        return Optional.ofNullable(check);
    }

    @Override
    public String toString() {
        return name + " " + address.getHostString() + ":" + address.getPort() + " weight " + weight + (backup ? " backup" : "");
    }

    /** Builds a {@link Backend}; options are set once and validated at {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final InetSocketAddress address;
        private Integer weight;
        private Boolean backup;
        private HealthCheck check;

        private Builder(String name, String host, int port) {
            Validation.notNull("name", name);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit, was '" + name + "'");
            }
            Validation.notNull("host", host);
            Validation.inRange("port", port, 1, 65535);
            InetSocketAddress resolved = new InetSocketAddress(host, port);
            if (resolved.isUnresolved()) {
                throw new IllegalArgumentException("host of backend '" + name + "' cannot be resolved: " + host);
            }
            this.name = name;
            this.address = resolved;
        }

        /** Relative share of new connections, in [0, 256]; default 1; 0 = drain. */
        public Builder weight(int weight) {
            Validation.setOnce("weight", this.weight);
            this.weight = Validation.inRange("weight", weight, 0, MAX_WEIGHT);
            return this;
        }

        /** Makes this a backup server: used only when no primary server is up (HAProxy's {@code backup}). */
        public Builder backup() {
            Validation.setOnce("backup", this.backup);
            this.backup = Boolean.TRUE;
            return this;
        }

        /** The health check of this backend; default: the balancer's {@code healthCheck} function. */
        public Builder check(HealthCheck check) {
            Validation.setOnce("check", this.check);
            this.check = Objects.requireNonNull(check, "check must not be null");
            return this;
        }

        public Backend build() {
            return new Backend(this);
        }
    }
}
