package io.ha4j.examples.agent;

import io.ha4j.core.HealthChecker;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an {@code haproxy.cfg} says, after parsing, with {@code defaults} applied to every proxy (each proxy
 * takes the {@code defaults} section above it, as HAProxy does) and HAProxy's built-in defaults filled in.
 * A {@code listen} section with servers appears both as a {@link Frontend} and a {@link Backend} of the same
 * name, which is what HAProxy makes of it; a {@code listen} section that only serves the stats page is a
 * {@link Stats}. Immutable.
 */
public record HaproxyConfig(String file, Global global, List<Frontend> frontends, List<Backend> backends, List<Stats> stats) {

    public HaproxyConfig {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
        stats = List.copyOf(stats);
    }

    public Optional<Frontend> frontend(String name) {
        return frontends.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public Optional<Backend> backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /**
     * The {@code global} section, as far as it matters to ha4j.
     *
     * @param maxConnections {@code maxconn}: the default of frontends without their own
     * @param hardStopAfter {@code hard-stop-after}: how long a stopping agent lets connections drain
     * @param threads {@code nbthread}: the agent's event loop threads in total, shared by every balancer, each
     *        accepting on every address, as HAProxy's threads; when absent, the available processors, HAProxy's default
     */
    public record Global(OptionalInt maxConnections, Optional<Duration> hardStopAfter, OptionalInt threads) {
        public static final Global DEFAULTS = new Global(OptionalInt.empty(), Optional.empty(), OptionalInt.empty());
    }

    /** {@code timeout ...}: each unset unless configured (HAProxy has no default for them). */
    public record Timeouts(Optional<Duration> connect, Optional<Duration> client, Optional<Duration> server,
            Optional<Duration> tunnel, Optional<Duration> clientFin, Optional<Duration> serverFin,
            Optional<Duration> queue, Optional<Duration> check) {

        public static final Timeouts NONE = new Timeouts(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** One {@code bind} address: {@code address} empty means every address ({@code *:port} or {@code :port}). */
    public record Bind(Origin origin, Optional<InetAddress> address, int port) {
        @Override
        public String toString() {
            return address.map(InetAddress::getHostAddress).orElse("*") + ":" + port;
        }
    }

    /**
     * A {@code frontend} (or the front half of a {@code listen}).
     *
     * @param defaultBackend the backend every connection goes to
     * @param maxConnections {@code maxconn}
     * @param logConnections {@code option tcplog}
     */
    public record Frontend(String name, Origin origin, List<Bind> binds, String defaultBackend, Timeouts timeouts,
            OptionalInt maxConnections, boolean logConnections) {

        public Frontend {
            binds = List.copyOf(binds);
        }
    }

    /** {@code balance}. */
    public enum Balance { ROUNDROBIN, STATIC_RR, LEASTCONN, SOURCE, RANDOM, FIRST }

    /**
     * A {@code backend} (or the back half of a {@code listen}).
     *
     * @param check the effective health check of its servers (the last check option wins, as in HAProxy)
     * @param retries {@code retries}, default 3
     * @param redispatch {@code option redispatch}
     * @param allBackups {@code option allbackups}
     */
    public record Backend(String name, Origin origin, Balance balance, CheckSpec check, List<Server> servers,
            int retries, boolean redispatch, boolean allBackups, Timeouts timeouts) {

        public Backend {
            servers = List.copyOf(servers);
        }

        public Optional<Server> server(String name) {
            return servers.stream().filter(s -> s.name().equals(name)).findFirst();
        }
    }

    /**
     * One {@code server} line (with {@code default-server} applied). Defaults are HAProxy's: inter 2s,
     * fastinter and downinter = inter, rise 2, fall 3, weight 1.
     *
     * @param host an IP literal or a name resolved when the agent starts
     * @param check {@code check}: health checks on
     * @param checkSsl {@code check-ssl}: checks over TLS
     * @param verifyNone {@code verify none}: TLS checks do not verify the server certificate
     * @param caFile {@code ca-file} (resolved against {@code ca-base}): the CAs TLS checks trust when verifying
     * @param checkPort {@code port}: the port checks go to, default the server's
     * @param slowStart {@code slowstart}
     * @param maxConnections {@code maxconn}
     * @param disabled {@code disabled}: starts in maintenance
     * @param initialState {@code init-state}; empty means HAProxy's default (up, one failure from down)
     * @param shutdownSessionsOnDown {@code on-marked-down shutdown-sessions}
     */
    public record Server(Origin origin, String name, String host, int port, boolean check, Duration inter,
            Duration fastInter, Duration downInter, int rise, int fall, int weight, boolean backup, boolean checkSsl,
            boolean verifyNone, Optional<java.nio.file.Path> caFile, OptionalInt checkPort, Optional<Duration> slowStart, OptionalInt maxConnections,
            boolean disabled, Optional<HealthChecker.InitialState> initialState, boolean shutdownSessionsOnDown) {
    }

    /** The effective health check of a backend's servers (for servers with {@code check}). */
    public sealed interface CheckSpec permits TcpConnect, SslHello, Http {
    }

    /** Plain TCP connect (HAProxy's check without an application check); over TLS with {@code check-ssl}. */
    public record TcpConnect(Optional<Origin> origin) implements CheckSpec {
    }

    /**
     * {@code option ssl-hello-chk}. HAProxy sends an SSLv3 ClientHello and accepts any TLS handshake or alert
     * record in reply; ha4j performs a real TLS handshake instead (see {@link AgentMapper}).
     */
    public record SslHello(Origin origin) implements CheckSpec {
    }

    /**
     * {@code option httpchk} with its {@code http-check} rules.
     *
     * @param method request method, default OPTIONS (HAProxy)
     * @param uri request path, default {@code /}
     * @param version HTTP version, default {@code HTTP/1.0}
     * @param headers {@code http-check send hdr NAME VALUE}
     * @param ssl {@code http-check connect ssl}; servers with {@code check-ssl} use TLS too
     * @param expectStatus {@code http-check expect status}: the accepted status codes; empty = 2xx and 3xx (HAProxy)
     */
    public record Http(Origin origin, String method, String uri, String version, List<Header> headers, boolean ssl,
            Optional<StatusRange> expectStatus) implements CheckSpec {

        public Http {
            headers = List.copyOf(headers);
        }
    }

    /** One request header of an HTTP check. */
    public record Header(String name, String value) {
    }

    /** Accepted HTTP status codes, {@code [from, to]} inclusive. */
    public record StatusRange(int from, int to) {
        public boolean contains(int status) {
            return status >= from && status <= to;
        }

        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    /**
     * A stats page ({@code stats enable} in a {@code listen} section).
     *
     * @param refresh {@code stats refresh}
     * @param auth {@code stats auth user:password} entries
     * @param admin {@code stats admin if ...}: the condition's words, empty when admin is off
     */
    public record Stats(String name, Origin origin, List<Bind> binds, String uri, Optional<Duration> refresh,
            List<String> auth, List<String> admin, Optional<String> realm, boolean hideVersion) {

        public Stats {
            binds = List.copyOf(binds);
            auth = List.copyOf(auth);
            admin = List.copyOf(admin);
        }
    }
}
