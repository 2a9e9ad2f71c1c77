package io.ha4j.examples.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Test resources under {@code agent/}. */
final class TestFiles {

    private TestFiles() {
    }

    static String text(String name) {
        try (InputStream in = TestFiles.class.getResourceAsStream("/agent/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource agent/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/agent/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every diagnostic, one per line, for assertion messages. */
    static String dump(Diagnostics d) {
        return d.all().stream().map(Diagnostic::toString).collect(Collectors.joining("\n"));
    }

    static List<String> keywords(List<Diagnostic> list) {
        return list.stream().map(Diagnostic::keyword).toList();
    }
}
