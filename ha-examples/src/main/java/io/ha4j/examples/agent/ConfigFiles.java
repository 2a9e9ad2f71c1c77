package io.ha4j.examples.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a configuration file into lines, refusing what is not one before it can hang or exhaust the agent:
 * only regular files are opened (a FIFO would block the read forever, {@code /dev/zero} never ends), a file
 * larger than the given limit is an error naming its size and the limit (the limit is checked on the bytes
 * read too, so a file that grows while it is read cannot get past it), and the text must be UTF-8 without
 * NUL characters (a binary file is an error naming the first line that is not text, as HAProxy names the
 * line of a "stray NUL character").
 *
 * <p>Problems are reported at {@code reportedAt} (the file itself, or the {@code include} line that named it)
 * and the result is empty.
 */
final class ConfigFiles {

    private ConfigFiles() {
    }

    /** Human form of a byte limit, e.g. {@code 1 MiB}. */
    static String size(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }

    /**
     * The lines of {@code file}, or empty after an error at {@code reportedAt} with {@code keyword}.
     *
     * @param shownName how messages name the file
     * @param maxBytes the largest file accepted
     */
    static Optional<List<String>> readLines(Path file, String shownName, long maxBytes, Origin reportedAt, String keyword,
            Diagnostics diagnostics) {
        String prefix = reportedAt.file().equals(shownName) && reportedAt.line() == 0 ? "" : shownName + ": ";
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            diagnostics.error(reportedAt, keyword, prefix + "cannot read: " + describe(e));
            return Optional.empty();
        }
        if (!attributes.isRegularFile()) {
            diagnostics.error(reportedAt, keyword, prefix + "is " + (attributes.isDirectory() ? "a directory" : "not a regular file "
                    + "(a FIFO, socket or device)") + "; a configuration is read only from regular files");
            return Optional.empty();
        }
        String tooLarge = prefix + "is larger than " + size(maxBytes) + ", the most a configuration file may be";
        if (attributes.size() > maxBytes) {
            diagnostics.error(reportedAt, keyword, prefix + "is " + attributes.size() + " bytes, larger than " + size(maxBytes)
                    + ", the most a configuration file may be");
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) maxBytes + 1);
        } catch (IOException e) {
            diagnostics.error(reportedAt, keyword, prefix + "cannot read: " + describe(e));
            return Optional.empty();
        }
        if (bytes.length > maxBytes) {
            diagnostics.error(reportedAt, keyword, tooLarge);
            return Optional.empty();
        }
        return decode(bytes, shownName, diagnostics);
    }

    /**
     * Splits UTF-8 bytes into lines ({@code \n}, with a {@code \r} before it dropped); text that is not
     * UTF-8 or holds a NUL is an error at the first such line, and the whole text is refused. The text is
     * decoded in one pass; only a failure is looked for line by line.
     */
    static Optional<List<String>> decode(byte[] bytes, String shownName, Diagnostics diagnostics) {
        String text;
        try {
            text = strictUtf8().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            diagnostics.error(shownName, firstLineNotUtf8(bytes), "file", "this line is not UTF-8 text: a configuration is a UTF-8 "
                    + "text file");
            return Optional.empty();
        }
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            int lineStart = text.lastIndexOf('\n', nul) + 1;
            int lineNo = (int) text.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
            diagnostics.error(shownName, lineNo, "file", "stray NUL character at column " + (nul - lineStart + 1)
                    + ": this is not a text file");
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            lines.add(text.substring(start, stop));
            start = end + 1;
        }
        return Optional.of(lines);
    }

    private static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static int firstLineNotUtf8(byte[] bytes) {
        CharsetDecoder decoder = strictUtf8();
        int lineNo = 1;
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            try {
                decoder.reset().decode(ByteBuffer.wrap(bytes, start, end - start));
            } catch (CharacterCodingException e) {
                return lineNo;
            }
            lineNo++;
            start = end + 1;
        }
        return lineNo;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
