package io.ha4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.Clock;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stand-in apiserver and the demo client against each other over TLS on loopback. */
@Timeout(30)
class StandInApiServerTest {

    private static final Duration T = Duration.ofSeconds(2);
    private static final Pattern RV = Pattern.compile("\"resourceVersion\":\"(\\d+)\"");

    static Path dir;
    static DemoPki pki;
    static ApiClient client;

    @BeforeAll
    static void pki() throws Exception {
        dir = Files.createTempDirectory("ha4j-demo-pki");
        pki = DemoPki.create(dir, List.of("127.0.0.1"));
        client = new ApiClient(pki.clientContext());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (String f : List.of(DemoPki.KEYSTORE, DemoPki.CA_PEM)) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }

    private StandInApiServer server(List<DemoEvent> events) throws Exception {
        return new StandInApiServer("node9", new InetSocketAddress("127.0.0.1", 0), pki.serverContext(), Clock.system(), events::add);
    }

    @Test
    void readyzTurns503OnShutdownWhileHealthzStays200() throws Exception {
        List<DemoEvent> events = new CopyOnWriteArrayList<>();
        try (StandInApiServer s = server(events)) {
            InetSocketAddress a = s.address();
            assertEquals(200, client.get(a, "/readyz", T, T).status());
            ApiClient.Response version = client.get(a, "/version", T, T);
            assertEquals(200, version.status());
            assertEquals("node9", version.header(StandInApiServer.SERVED_BY));
            assertTrue(version.body().contains("\"gitVersion\":\"v1.30.0"), version.body());
            s.shutDown();
            assertEquals(503, client.get(a, "/readyz", T, T).status());
            assertEquals(200, client.get(a, "/healthz", T, T).status());
            assertEquals(404, client.get(a, "/nope", T, T).status());
        }
        assertEquals(List.of("SERVING", "SHUTTING_DOWN", "STOPPED"), events.stream().map(DemoEvent::state).toList());
    }

    @Test
    void watchStreamsOneEventPerSecondResumesWithoutLossAndEndsAtStop() throws Exception {
        try (StandInApiServer s = server(new CopyOnWriteArrayList<>())) {
            long last;
            try (ApiClient.Watch w = client.watch(s.address(), StandInApiServer.WATCH_PATH + "?watch=true", T, Duration.ofSeconds(3))) {
                assertEquals("node9", w.servedBy());
                long first = rv(w.nextLine());
                last = rv(w.nextLine());
                assertEquals(first + 1, last);
            }
            // resume from an older version: the missed events come first, in order
            try (ApiClient.Watch w = client.watch(s.address(),
                    StandInApiServer.WATCH_PATH + "?watch=true&resourceVersion=" + (last - 2), T, Duration.ofSeconds(3))) {
                assertEquals(last - 1, rv(w.nextLine()));
                assertEquals(last, rv(w.nextLine()));
                s.close();
                assertThrows(EOFException.class, () -> {
                    for (int i = 0; i < 5; i++) {
                        w.nextLine();
                    }
                });
            }
        }
    }

    private static long rv(String line) {
        Matcher m = RV.matcher(line);
        assertTrue(m.find(), line);
        return Long.parseLong(m.group(1));
    }
}
