package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.proxy.TestSupport.EchoServer;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The defaults ha-proxy's README documents, on a balancer built with nothing but a bind address and backends: what
 * the stats and the kernel ({@code ss}: listen backlog, keepalive timers) show, and the timeouts the sessions use.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocumentedDefaultsTest {

    private static final Pattern KEEPALIVE = Pattern.compile("timer:\\(keepalive,(\\d+)(sec|min)");

    private static String ss(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", args) + ": " + out);
        return out;
    }

    @Test
    void defaultsAsDocumented() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             TcpBalancer balancer = TcpBalancer.builder("defaults").bind("127.0.0.1", 0)
                     .backend(Backend.of("a", "127.0.0.1", a.port()))
                     .build()) {
            balancer.start();
            BalancerStats st = balancer.stats();
            assertEquals(Epoll.isAvailable() ? "epoll" : "nio", st.transport(), "native epoll when it loads: "
                    + (Epoll.isAvailable() ? "loaded" : Epoll.unavailabilityCause()));
            assertEquals(Balance.ROUND_ROBIN, st.balance(), "balance roundrobin");
            assertEquals(10_000, st.maxConnections(), "maxconn 10000");
            BackendStats row = st.backend("a");
            assertEquals(1, row.weight(), "weight 1");
            assertEquals(2, row.rise(), "rise 2");
            assertEquals(3, row.fall(), "fall 3");
            assertTrue(row.check().contains("/readyz"), "HTTPS GET /readyz by default: " + row.check());

            assertEquals(Duration.ofSeconds(5).toNanos(), balancer.config().connectTimeoutNanos(), "timeout connect 5s");
            assertEquals(Duration.ofSeconds(60).toNanos(), balancer.config().clientTimeoutNanos(), "timeout client 60s");
            assertEquals(Duration.ofSeconds(60).toNanos(), balancer.config().serverTimeoutNanos(), "timeout server 60s");
            assertEquals(Duration.ofHours(24).toNanos(), balancer.config().tunnelTimeoutNanos(), "timeout tunnel 24h");
            assertEquals(Duration.ofSeconds(30).toNanos(), balancer.config().clientFinTimeoutNanos(), "timeout client-fin 30s");
            assertEquals(3, balancer.config().retries(), "retries 3");

            int front = balancer.boundAddresses().get(0).getPort();
            // read line-wise: Files.readString trusts the size procfs reports and returned "4" of "4096" here
            int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim());
            String listen = ss("ss", "-ltnH", "sport = :" + front);
            String[] cols = listen.trim().split("\\s+");
            assertEquals(Math.min(1024, somaxconn), Integer.parseInt(cols[2]), "listen backlog 1024 (Send-Q of the listener): " + listen);

        }
    }

    @Test
    void tcpKeepaliveOnBothSidesWithTheDocumentedTiming() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             TcpBalancer balancer = TcpBalancer.builder("keepalive").bind("127.0.0.1", 0)
                     .backend(Backend.of("a", "127.0.0.1", a.port()))
                     // the default HTTPS /readyz check would mark the echo server down and end the session
                     .healthCheck(x -> io.ha4j.core.HealthCheck.of("always up", () -> true))
                     .build()) {
            balancer.start();
            int front = balancer.boundAddresses().get(0).getPort();
            try (Socket client = connect(balancer.boundAddresses().get(0))) {
                assertEquals("a", readLine(client.getInputStream()));
                String accepted = ss("ss", "-tnoH", "sport = :" + front);
                String toBackend = ss("ss", "-tnoH", "dport = :" + a.port());
                for (String side : List.of(accepted, toBackend)) {
                    Matcher m = KEEPALIVE.matcher(side);
                    assertTrue(m.find(), "TCP keepalive on both sides of the session: " + side + "\nall: " + ss("ss", "-tno"));
                    long seconds = Long.parseLong(m.group(1)) * (m.group(2).equals("min") ? 60 : 1);
                    assertTrue(seconds > 10 && seconds <= 60, "first probe after 60 s idle (not the kernel's 7200 s): " + side);
                }
            }
        }
    }
}
