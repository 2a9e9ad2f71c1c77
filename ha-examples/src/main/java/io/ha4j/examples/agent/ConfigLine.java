package io.ha4j.examples.agent;

import java.util.List;

/**
 * A line of either configuration syntax as diagnostics see it: where it is, its keyword and the words after
 * it. {@link KeepalivedStatement} and {@link HaproxyLexer.Line} are the two kinds, so that both parsers report
 * through the same {@link Diagnostics} methods instead of copies of them.
 */
interface ConfigLine {

    String file();

    int line();

    String keyword();

    /** The words after the keyword. */
    List<String> args();

    default Origin origin() {
        return new Origin(file(), line());
    }
}
