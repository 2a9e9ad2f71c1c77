package io.ha4j.examples.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits {@code haproxy.cfg} lines into words, as HAProxy does: blanks separate words; {@code #} outside
 * quotes starts a comment; a backslash escapes the next character ({@code \ }, {@code \#}, {@code \\},
 * {@code \"}, {@code \'}) and {@code \t}/{@code \n}/{@code \r} are control characters; single quotes keep
 * text as it is; double quotes expand {@code ${NAME}} from the environment (an unset variable expands to
 * nothing, with a warning, as HAProxy leaves it empty). Outside double quotes {@code ${NAME}} stays as
 * written.
 */
final class HaproxyLexer {

    /** One non-empty line. */
    record Line(String file, int line, List<String> words) implements ConfigLine {
        Line {
            words = List.copyOf(words);
        }

        @Override
        public String keyword() {
            return words.get(0);
        }

        @Override
        public List<String> args() {
            return words.subList(1, words.size());
        }
    }

    private HaproxyLexer() {
    }

    /** The line numbered {@code lineNo}, or null when it holds no word (blank or a comment). */
    static Line line(String file, int lineNo, String text, Map<String, String> environment, Diagnostics diagnostics) {
        List<String> words = split(file, lineNo, text, environment, diagnostics);
        return words.isEmpty() ? null : new Line(file, lineNo, words);
    }

    private static List<String> split(String file, int lineNo, String line, Map<String, String> env, Diagnostics diagnostics) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (quote == 0 && (c == ' ' || c == '\t')) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (quote == 0 && c == '#') {
                break;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && quote != '\'' && i + 1 < n) {
                char next = line.charAt(++i);
                switch (next) {
                    case 't' -> word.append('\t');
                    case 'n' -> word.append('\n');
                    case 'r' -> word.append('\r');
                    default -> word.append(next);
                }
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (quote == '"' && c == '$' && i + 1 < n && line.charAt(i + 1) == '{') {
                int end = line.indexOf('}', i + 2);
                if (end < 0) {
                    word.append(c);
                    continue;
                }
                String name = line.substring(i + 2, end);
                String value = env.get(name);
                if (value == null) {
                    diagnostics.warn(file, lineNo, "${" + name + "}", "environment variable " + name + " is not set; it expands to nothing, as in HAProxy");
                    value = "";
                }
                word.append(value);
                i = end;
            } else {
                word.append(c);
            }
        }
        if (quote != 0) {
            diagnostics.error(file, lineNo, String.valueOf(quote), "unterminated quoted string");
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
