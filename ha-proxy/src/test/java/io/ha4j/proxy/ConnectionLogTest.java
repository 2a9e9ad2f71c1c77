package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tcplog-like line per connection (slf4j-simple writes to System.err, captured here). */
@ExtendWith(LeakCheck.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLogTest {

    private static final Pattern LINE = Pattern.compile(
            "io\\.ha4j\\.proxy\\.tcplog - 127\\.0\\.0\\.1:(\\d+) (\\S+) (\\S+)/(\\S+) 0/(-?\\d+)/(\\d+) (\\d+) (\\d+) (\\S\\S) (\\d+)/(\\d+) (\\d+)");

    @Test
    void testOneLinePerConnectionWithBytesAndTerminationState() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (EchoServer echo = new EchoServer("e", true)) {
            TcpBalancer logged = TestSupport.balancer("logged", echo)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .logConnections(true)
                    .build();
            TcpBalancer quiet = TestSupport.balancer("quiet", echo)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                logged.start();
                quiet.start();
                int clientPort;
                try (Socket s = connect(logged.boundAddresses().get(0))) {
                    clientPort = s.getLocalPort();
                    assertEquals("e", readLine(s.getInputStream()));
                    s.getOutputStream().write("12345\n".getBytes());
                    assertEquals("12345", readLine(s.getInputStream()));
                    s.shutdownOutput();
                    assertEquals(-1, s.getInputStream().read());
                }
                try (Socket s = connect(quiet.boundAddresses().get(0))) {
                    assertEquals("e", readLine(s.getInputStream()));
                }
                assertTrue(TestSupport.await(Duration.ofSeconds(5),
                        () -> logged.stats().activeConnections() == 0 && quiet.stats().activeConnections() == 0));
                logged.close();
                quiet.close();
                String out = captured.toString(StandardCharsets.UTF_8);
                Matcher m = LINE.matcher(out);
                assertTrue(m.find(), out);
                assertEquals(String.valueOf(clientPort), m.group(1));
                assertEquals("logged", m.group(2));
                assertEquals("e", m.group(4), "backend/server");
                assertEquals("8", m.group(7), "bytes to the client: greeting + echo");
                assertEquals("6", m.group(8), "bytes from the client");
                assertEquals("--", m.group(9), "normal termination");
                assertTrue(!m.find(), "exactly one line, none from the quiet balancer: " + out);
            } finally {
                System.setErr(original);
            }
        }
    }
}
