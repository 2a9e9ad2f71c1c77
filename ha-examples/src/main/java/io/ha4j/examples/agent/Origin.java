package io.ha4j.examples.agent;

import java.util.Objects;

/**
 * Where something was configured, so that an error found later (while mapping to builders) can still name
 * the file and line.
 */
public record Origin(String file, int line) {

    public Origin {
        Objects.requireNonNull(file, "file");
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
