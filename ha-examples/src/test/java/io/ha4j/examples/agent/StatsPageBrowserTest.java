package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ha4j.core.HaCluster;
import io.ha4j.core.HaClusterMetrics;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.core.testkit.Await;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.testing.SimulatedLan;
import io.ha4j.vrrp.testing.SimulatedRouter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The operator's view, checked by real clients: the agent runs an haproxy.cfg with two frontends and two
 * {@code listen} stats pages (one for loopback admins, one behind {@code stats auth}, read-only) and a
 * keepalived.conf whose instance is BACKUP to a peer on a simulated LAN; headless Chromium opens the page, clicks
 * drain, enable and weight (on both balancers), and the JSON shows each change; the authenticated page renders with
 * its credentials and answers 401 without; {@code promtool check metrics} accepts {@code /metrics}; Micrometer reads
 * the same numbers. Takes the README's screenshot ({@code target/stats-page.png}, copied to docs/stats-page.png).
 *
 * <p>Tagged privileged: it needs Debian's {@code chromium}, {@code chromium-driver} and {@code prometheus}
 * (promtool), installed by scripts/test.sh, and fails when one is missing. One browser session.
 */
@Tag("privileged")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatsPageBrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String PROMTOOL = "/usr/bin/promtool";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** A backend that accepts connections and writes its name, on a thread that ends when it is closed. */
    private static final class Backend implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread thread;

        Backend(String name) throws IOException {
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "backend-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void require(String program, String pkg) {
        if (!Files.isExecutable(Path.of(program))) {
            fail(program + " is missing: install Debian's " + pkg + " (scripts/test.sh does)");
        }
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode backend(String statsJson, String proxy, String server) {
        JsonNode root;
        try {
            root = json.readTree(statsJson);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + statsJson, e);
        }
        for (JsonNode c : root.get("components")) {
            if (c.get("kind").asText().equals("balancer") && c.get("name").asText().equals(proxy)) {
                for (JsonNode b : c.get("backends")) {
                    if (b.get("name").asText().equals(server)) {
                        return b;
                    }
                }
            }
        }
        throw new AssertionError("no backend " + proxy + "/" + server + " in " + statsJson);
    }

    @Test
    void operatorViewInChromiumPromtoolAndMicrometer(@TempDir Path dir) throws Exception {
        require(CHROMIUM, "chromium");
        require(CHROMEDRIVER, "chromium-driver");
        require(PROMTOOL, "prometheus");
        int apiserver = freePort();
        int ingress = freePort();
        int open = freePort();
        int authenticated = freePort();
        ManualScheduler lanClock = new ManualScheduler();
        SimulatedLan lan = new SimulatedLan(lanClock, 3);
        SimulatedRouter self = lan.addRouter("self", "198.18.0.1");
        SimulatedRouter peer = lan.addRouter("peer", "198.18.0.2");
        List<AutoCloseable> closing = new ArrayList<>();
        Thread ticker = null;
        ChromeDriver browser = null;
        try (Backend c1 = new Backend("control1"); Backend c2 = new Backend("control2"); Backend web = new Backend("web1")) {
            String haproxy = """
                    global
                        maxconn 4000
                    defaults
                        mode tcp
                        timeout connect 2s
                        timeout client 1m
                        timeout server 1m
                    frontend apiserver
                        bind 127.0.0.1:%d
                        default_backend apiserver
                    backend apiserver
                        balance roundrobin
                        server control1 127.0.0.1:%d
                        server control2 127.0.0.1:%d
                    frontend ingress
                        bind 127.0.0.1:%d
                        default_backend ingress
                    backend ingress
                        server web1 127.0.0.1:%d
                    listen stats
                        bind 127.0.0.1:%d
                        mode http
                        stats enable
                        stats uri /haproxy_stats
                        stats refresh 30s
                        stats admin if LOCALHOST
                    listen stats_remote
                        bind 127.0.0.1:%d
                        mode http
                        stats enable
                        stats uri /haproxy_stats
                        stats auth admin:s3cret
                        stats realm ha4j\\ test
                        stats hide-version
                    """.formatted(apiserver, c1.port(), c2.port(), ingress, web.port(), open, authenticated);
            String keepalived = """
                    vrrp_instance VI_1 {
                        state BACKUP
                        interface eth0
                        virtual_router_id 51
                        priority 100
                        advert_int 1
                        virtual_ipaddress {
                            198.18.0.100/24
                        }
                    }
                    """;
            Diagnostics d = new Diagnostics();
            Optional<HaproxyConfig> h = Optional.of(HaproxyParser.parse("haproxy.cfg", haproxy, Map.of(), d));
            Optional<KeepalivedConfig> k = Optional.of(KeepalivedParser.parse("keepalived.conf", keepalived, d));
            AgentPlan plan = new AgentMapper(d, self.transport()).map(k, h);
            closing.add(0, plan); // after the cluster, which is added in front of it
            assertFalse(d.hasErrors(), TestFiles.dump(d));
            assertTrue(d.warnings().stream().noneMatch(w -> w.keyword().startsWith("stats")), TestFiles.dump(d));

            // the peer that is MASTER, on the simulated LAN whose clock a ticker drives in real time
            VrrpInstance master = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(200).version(2)
                    .virtualAddress("198.18.0.100/24").transport(peer.transport()).build();
            closing.add(master);
            master.start(peer.context());
            HaCluster cluster = plan.newCluster(Optional.of(new InMemoryVipManager()));
            closing.add(0, cluster);
            cluster.start();
            long tickerDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
            ticker = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < tickerDeadline) {
                    lan.advance(Duration.ofMillis(50));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "lan-ticker");
            ticker.setDaemon(true);
            ticker.start();
            VrrpInstance backup = plan.vrrpInstances().get(0);
            Await.until(Duration.ofSeconds(20), "VI_1 BACKUP to the peer", () -> backup.state() == VrrpState.BACKUP
                    && "198.18.0.2".equals(backup.componentStats().fields().get("masterAddress")));
            for (int port : new int[] {apiserver, apiserver, apiserver, ingress}) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                    s.setSoTimeout(5000);
                    assertTrue(s.getInputStream().read() > 0, "a line relayed from a backend");
                }
            }

            String page = "http://127.0.0.1:" + open + "/haproxy_stats";
            String statsJson = page + ";json";
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1500,1000", "--user-data-dir=" + dir.resolve("chromium-profile"));
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                    .usingAnyFreePort().build();
            ChromeDriver chrome = new ChromeDriver(service, options);
            browser = chrome;
            chrome.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));

            chrome.get(page);
            assertEquals("ha4j statistics: ha-agent", chrome.getTitle());
            assertEquals(2, chrome.findElements(By.cssSelector("table.balancer")).size(), "both frontends on one page");
            WebElement vrrpRow = chrome.findElement(By.id("vrrp/VI_1"));
            assertTrue(vrrpRow.getText().contains("BACKUP") && vrrpRow.getText().contains("198.18.0.2"), vrrpRow.getText());
            assertTrue(chrome.getPageSource().contains("content=\"30\""), "stats refresh 30s");

            chrome.findElement(By.cssSelector("tr[id='apiserver/control1'] button[value='drain']")).click();
            awaitRow(chrome, "apiserver/control1", "DRAIN", "drain shown");
            assertEquals("DRAIN", backend(get(statsJson).body(), "apiserver", "control1").get("status").asText());

            chrome.findElement(By.cssSelector("tr[id='ingress/web1'] button[value='drain']")).click();
            awaitRow(chrome, "ingress/web1", "DRAIN", "the other balancer's drain");
            assertEquals("DRAIN", backend(get(statsJson).body(), "ingress", "web1").get("status").asText());

            chrome.findElement(By.cssSelector("tr[id='apiserver/control1'] button[value='enable']")).click();
            awaitRow(chrome, "apiserver/control1", "UP", "enable shown");
            assertEquals("UP", backend(get(statsJson).body(), "apiserver", "control1").get("status").asText());

            WebElement weight = chrome.findElement(By.cssSelector("tr[id='apiserver/control2'] input[name='weight']"));
            weight.clear();
            weight.sendKeys("5");
            chrome.findElement(By.cssSelector("tr[id='apiserver/control2'] button[value='weight']")).click();
            Await.until(Duration.ofSeconds(10), "weight 5 in the JSON",
                    () -> backend(getUnchecked(statsJson), "apiserver", "control2").get("weight").asInt() == 5);
            awaitRow(chrome, "apiserver/control2", "/5", "weight shown");

            Path shot = Path.of("target", "stats-page.png");
            Files.createDirectories(shot.getParent());
            Files.copy(chrome.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(Files.size(shot) > 10_000, "a screenshot of the page: " + Files.size(shot));

            // the authenticated, read-only page
            String remote = "127.0.0.1:" + authenticated + "/haproxy_stats";
            HttpResponse<String> anonymous = get("http://" + remote);
            assertEquals(401, anonymous.statusCode());
            assertEquals("Basic realm=\"ha4j test\", charset=\"UTF-8\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
            chrome.get("http://admin:s3cret@" + remote);
            assertEquals("ha4j statistics: ha-agent", chrome.getTitle());
            assertTrue(chrome.findElement(By.tagName("body")).getText().contains("Read-only."), "no 'stats admin'");
            assertTrue(chrome.findElements(By.tagName("button")).isEmpty(), "no buttons on a read-only page");
            assertFalse(chrome.getPageSource().contains("development build"), "stats hide-version");
            assertTrue(chrome.findElement(By.id("vrrp/VI_1")).getText().contains("BACKUP"));

            // promtool, the Prometheus project's own parser and linter
            HttpResponse<String> metrics = get("http://127.0.0.1:" + open + "/metrics");
            assertEquals(200, metrics.statusCode());
            Path text = dir.resolve("metrics.txt");
            Files.writeString(text, metrics.body());
            Process promtool = new ProcessBuilder(PROMTOOL, "check", "metrics").redirectInput(text.toFile()).redirectErrorStream(true).start();
            assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool ends");
            String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, promtool.exitValue(), lint);
            assertEquals("", lint.trim(), "no lint finding");
            assertTrue(metrics.body().contains("ha4j_server_status{proxy=\"ingress\",server=\"web1\",state=\"DRAIN\"} 1\n"), metrics.body());
            assertTrue(metrics.body().contains("ha4j_vrrp_state{instance=\"VI_1\",state=\"BACKUP\"} 1\n"), metrics.body());
            assertTrue(metrics.body().contains("ha4j_vrrp_dropped_packets_total{instance=\"VI_1\",reason=\"checksum\"} 0\n"), metrics.body());

            // Micrometer reads the same numbers
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new HaClusterMetrics(cluster).bindTo(registry);
            assertEquals(5.0, registry.get("ha4j_server_weight").tag("proxy", "apiserver").tag("server", "control2").gauge().value());
            assertEquals(1.0, registry.get("ha4j_server_status").tag("server", "web1").tag("state", "DRAIN").gauge().value());
            assertEquals(3.0, registry.get("ha4j_frontend_sessions").tag("proxy", "apiserver").functionCounter().count());
            assertEquals(100.0, registry.get("ha4j_vrrp_base_priority").tag("instance", "VI_1").gauge().value());
            assertTrue(registry.get("ha4j_vrrp_adverts_received").tag("instance", "VI_1").functionCounter().count() > 0);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            if (ticker != null) {
                ticker.interrupt();
                ticker.join(5000);
            }
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }

    /**
     * Waits until the row {@code id} of a fully loaded page shows {@code text}. A button's POST answers 303 and
     * the browser loads the page again, so a read can land on a document still being parsed: a row not there
     * yet, or one gone stale, counts as "not yet".
     */
    private static void awaitRow(ChromeDriver chrome, String id, String text, String description) {
        Await.untilNoThrow(Duration.ofSeconds(10), description,
                () -> "complete".equals(chrome.executeScript("return document.readyState"))
                        && chrome.findElement(By.id(id)).getText().contains(text));
    }

    private String getUnchecked(String url) {
        try {
            return get(url).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
