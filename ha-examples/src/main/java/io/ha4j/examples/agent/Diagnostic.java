package io.ha4j.examples.agent;

import java.util.Objects;

/**
 * One finding about a configuration file: an error (the file cannot be run as written) or a warning (it
 * can, but something in it has no effect or does not do what it seems to).
 *
 * @param severity error or warning
 * @param file the file as the user named it (or as an {@code include} named it)
 * @param line 1-based line, or 0 when the finding is about the file as a whole
 * @param keyword the keyword the finding is about, e.g. {@code "option ssl-hello-chk"}
 * @param message what is wrong and, where there is one, what to do instead
 */
public record Diagnostic(Severity severity, String file, int line, String keyword, String message) {

    /** How bad a finding is. {@code --check} fails on any {@link #ERROR}. */
    public enum Severity { ERROR, WARNING }

    /** The longest keyword shown; a longer one (a 1 MB word in a hostile file) is cut with a marker. */
    static final int MAX_KEYWORD_CHARS = 80;
    /** The longest message shown; values quoted in it are cut first ({@link #shorten}). */
    static final int MAX_MESSAGE_CHARS = 1000;

    /**
     * An empty keyword (a {@code ""} word in the file) is shown as {@code ""}; keyword and message are made printable (control characters as {@code \xNN}, so binary input cannot
     * drive a terminal) and cut to {@link #MAX_KEYWORD_CHARS} and {@link #MAX_MESSAGE_CHARS}.
     */
    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(keyword, "keyword");
        Objects.requireNonNull(message, "message");
        file = shorten(file, MAX_MESSAGE_CHARS);
        keyword = keyword.isEmpty() ? "\"\"" : shorten(keyword, MAX_KEYWORD_CHARS); // an empty quoted word, as written
        message = shorten(message, MAX_MESSAGE_CHARS);
    }

    /**
     * {@code text} printable and at most about {@code max} characters: what is cut is replaced by
     * {@code ...[N more characters]}, so the reader sees that it was cut and by how much.
     */
    public static String shorten(String text, int max) {
        String shown = text.length() > max ? text.substring(0, max) : text;
        StringBuilder out = null;
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c == 0x7f;
            if (control && out == null) {
                out = new StringBuilder(shown.length() + 16).append(shown, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        String printable = out == null ? shown : out.toString();
        return text.length() > max ? printable + "...[" + (text.length() - max) + " more characters]" : printable;
    }

    /** {@code file:line} as compilers print it. */
    public String location() {
        return line > 0 ? file + ":" + line : file;
    }

    /** One line in the style of {@code haproxy -c}: {@code [WARNING] haproxy.cfg:47: 'option ssl-hello-chk': ...}. */
    @Override
    public String toString() {
        return "[" + severity + "] " + location() + ": '" + keyword + "': " + message;
    }
}
