package io.ha4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.core.testing.ManualScheduler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class RateLimitedLogTest {

    private final List<String> lines = new ArrayList<>();
    private final Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
                if (method.getName().equals("warn")) {
                    lines.add((String) args[0]);
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });

    @Test
    void logsEachKeyOncePerIntervalAndCountsTheRest() {
        ManualScheduler clock = new ManualScheduler();
        RateLimitedLog log = new RateLimitedLog(logger, clock, Duration.ofSeconds(10).toNanos());
        log.warn("bad-ttl", "dropped advert: TTL {}", 64);
        log.warn("bad-ttl", "dropped advert: TTL {}", 63);
        log.warn("bad-ttl", "dropped advert: TTL {}", 62);
        log.warn("bad-auth", "dropped advert: auth");
        assertEquals(List.of("dropped advert: TTL {}", "dropped advert: auth"), lines);
        clock.advance(Duration.ofSeconds(9));
        log.warn("bad-ttl", "dropped advert: TTL {}", 61);
        assertEquals(2, lines.size());
        clock.advance(Duration.ofSeconds(1));
        log.warn("bad-ttl", "dropped advert: TTL {}", 60);
        assertEquals("dropped advert: TTL {} (3 similar suppressed)", lines.get(2));
        clock.advance(Duration.ofSeconds(10));
        log.warn("bad-ttl", "dropped advert: TTL {}", 59);
        assertEquals("dropped advert: TTL {}", lines.get(3));
    }
}
