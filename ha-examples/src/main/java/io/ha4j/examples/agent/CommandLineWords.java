package io.ha4j.examples.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a keepalived script line ({@code script "killall -0 haproxy"}) into program and arguments the way
 * keepalived does before it execs the script without a shell: blanks separate words, single and double
 * quotes group them, a backslash escapes the next character. Shell syntax ({@code |}, {@code &&},
 * {@code $VAR}) is not interpreted; write {@code sh -c '...'} for that, as with keepalived.
 */
final class CommandLineWords {

    private CommandLineWords() {
    }

    /** The words of {@code line}; throws {@link IllegalArgumentException} on an unterminated quote. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && quote != '\'' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + (quote == '"' ? "double" : "single") + " quote in: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
