package io.ha4j.examples.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@code keepalived.conf} text into a tree of {@link KeepalivedStatement}s.
 *
 * <p>Syntax, as keepalived reads it: one statement per line; words separated by blanks; a double-quoted
 * string is one word (quotes removed, no escapes); a word starting with {@code #} or {@code !} starts a
 * comment that runs to the end of the line; {@code {} and {@code }} are words of their own even when
 * written against another word, so {@code track_script {chk}} and a {@code {} on the next line both work;
 * only {@code ${NAME}} keeps its braces (keepalived's parameter syntax, which HaAgent does not expand: a
 * value that still holds one is reported as an unfilled placeholder).
 *
 * <p>{@code include FILE...} is supported, as in keepalived: each argument is a path or a glob
 * ({@code *}, {@code ?}, {@code [...]} in the last path element), relative paths are resolved against the
 * directory of the file that includes them, matches are read in name order, and statements of an included
 * file keep their own file name and line numbers in diagnostics. A glob that matches nothing is a warning;
 * a named file that does not exist is an error.
 *
 * <p>Bounds, so that no configuration can make the agent loop, hang or run out of memory (keepalived 2.2.7
 * itself, given three files that include their own directory's {@code *.conf}, printed 290,583
 * "Config files missing" errors in 20 s without stopping): a file that includes itself, directly or through
 * others, is an include cycle, reported once with the chain of files, after which no further include is
 * followed; includes nest at most {@value #MAX_INCLUDE_DEPTH} deep; one configuration reads at most
 * {@value #MAX_FILES} files (counting a file included twice twice) and {@value #MAX_TOTAL_BYTES} bytes in all;
 * each file is a regular UTF-8 text file of at most {@value #MAX_FILE_BYTES} bytes ({@link ConfigFiles}).
 * Real keepalived.conf files are a few kilobytes. Blocks nest at most {@value #MAX_BLOCK_DEPTH} deep (the
 * statement tree is built recursively), and reading stops after {@value Diagnostics#MAX_ERRORS} errors.
 */
final class KeepalivedLexer {

    static final int MAX_INCLUDE_DEPTH = 8;
    /** Deepest block nesting read; real files nest 3 deep ({@code vrrp_instance { authentication { } }}). */
    static final int MAX_BLOCK_DEPTH = 16;
    static final int MAX_FILES = 256;
    static final long MAX_FILE_BYTES = 1024 * 1024;
    static final long MAX_TOTAL_BYTES = 2 * 1024 * 1024;

    private sealed interface Token permits Word, Open, Close, EndOfLine {
        String file();

        int line();
    }

    private record Word(String file, int line, String text) implements Token {
    }

    private record Open(String file, int line) implements Token {
    }

    private record Close(String file, int line) implements Token {
    }

    private record EndOfLine(String file, int line) implements Token {
    }

    /** A file being read, for cycle detection and for naming the chain. */
    private record Reading(Path realPath, String name) {
    }

    private final Diagnostics diagnostics;
    private final List<Token> tokens = new ArrayList<>();
    private final ArrayDeque<Reading> reading = new ArrayDeque<>();
    private int position;
    private int filesRead;
    private long bytesRead;
    private boolean includesStopped;

    private KeepalivedLexer(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** Reads {@code file} (and what it includes) into statements; problems go to {@code diagnostics}. */
    static List<KeepalivedStatement> read(Path file, Diagnostics diagnostics) {
        KeepalivedLexer lexer = new KeepalivedLexer(diagnostics);
        String name = file.toString();
        if (!lexer.readFile(file, name, new Origin(name, 0), "file")) {
            return List.of();
        }
        return lexer.statements(null, 0);
    }

    /** Parses text that is not in a file (tests, stdin); {@code include} resolves against the working directory. */
    static List<KeepalivedStatement> read(String name, String text, Diagnostics diagnostics) {
        KeepalivedLexer lexer = new KeepalivedLexer(diagnostics);
        lexer.reading.push(new Reading(Path.of(name).toAbsolutePath(), name));
        lexer.tokenize(name, text.lines().toList(), Path.of("").toAbsolutePath());
        return lexer.statements(null, 0);
    }

    /**
     * Reads one file within the bounds (see the class comment), reporting at {@code reportedAt}; false when it
     * was not read.
     */
    private boolean readFile(Path file, String name, Origin reportedAt, String keyword) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            diagnostics.error(reportedAt, keyword, (reportedAt.line() == 0 ? "" : name + ": ") + "cannot read: "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
            return false;
        }
        if (reading.stream().anyMatch(o -> o.realPath().equals(real))) {
            StringBuilder chain = new StringBuilder();
            reading.descendingIterator().forEachRemaining(o -> chain.append(o.name()).append(" -> "));
            stopIncludes(reportedAt, "include cycle: " + chain + name + ": " + name + " is already being read; no include is "
                    + "followed from here on");
            return false;
        }
        if (filesRead >= MAX_FILES) {
            stopIncludes(reportedAt, "more than " + MAX_FILES + " files read for one configuration (counting repeats); "
                    + "no include is followed from here on");
            return false;
        }
        Optional<List<String>> lines = ConfigFiles.readLines(real, name, MAX_FILE_BYTES, reportedAt, keyword, diagnostics);
        if (lines.isEmpty()) {
            return false;
        }
        long size = lines.get().stream().mapToLong(l -> l.length() + 1L).sum();
        if (bytesRead + size > MAX_TOTAL_BYTES) {
            stopIncludes(reportedAt, "the files of this configuration add up to more than " + ConfigFiles.size(MAX_TOTAL_BYTES)
                    + "; " + name + " and every include after it are not read");
            return false;
        }
        bytesRead += size;
        filesRead++;
        reading.push(new Reading(real, name));
        try {
            tokenize(name, lines.get(), real.getParent());
        } finally {
            reading.pop();
        }
        return true;
    }

    /** Reports why includes stop, once: after a cycle or an exhausted bound every further include would fail the same way. */
    private void stopIncludes(Origin at, String message) {
        if (!includesStopped) {
            includesStopped = true;
            diagnostics.error(at, "include", message);
        }
    }

    private void tokenize(String file, List<String> lines, Path directory) {
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            if (diagnostics.errorCount() >= Diagnostics.MAX_ERRORS) {
                return; // the parser reports that it stopped
            }
            List<Token> lineTokens = splitLine(file, lineNo, lines.get(i));
            if (!lineTokens.isEmpty() && lineTokens.get(0) instanceof Word w && w.text().equals("include")) {
                include(file, lineNo, lineTokens, directory);
                continue;
            }
            tokens.addAll(lineTokens);
            tokens.add(new EndOfLine(file, lineNo));
        }
    }

    private List<Token> splitLine(String file, int lineNo, String line) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '!') {
                break;
            } else if (c == '{') {
                out.add(new Open(file, lineNo));
                i++;
            } else if (c == '}') {
                out.add(new Close(file, lineNo));
                i++;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                if (end < 0) {
                    diagnostics.error(file, lineNo, "\"", "unterminated quoted string: " + line.substring(i));
                    out.add(new Word(file, lineNo, line.substring(i + 1)));
                    break;
                }
                out.add(new Word(file, lineNo, line.substring(i + 1, end)));
                i = end + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(line.charAt(i)) && "{}\"".indexOf(line.charAt(i)) < 0) {
                    if (line.startsWith("${", i) && line.indexOf('}', i) > 0) {
                        i = line.indexOf('}', i); // ${NAME} is one word (keepalived's own parameter syntax)
                    }
                    i++;
                }
                out.add(new Word(file, lineNo, line.substring(start, i)));
            }
        }
        return out;
    }

    private void include(String file, int lineNo, List<Token> lineTokens, Path directory) {
        if (lineTokens.size() < 2) {
            diagnostics.error(file, lineNo, "include", "needs a file name or glob");
            return;
        }
        if (includesStopped) {
            return;
        }
        Origin at = new Origin(file, lineNo);
        if (reading.size() > MAX_INCLUDE_DEPTH) {
            stopIncludes(at, "includes nest more than " + MAX_INCLUDE_DEPTH + " deep; no include is followed from here on");
            return;
        }
        for (Token t : lineTokens.subList(1, lineTokens.size())) {
            if (!(t instanceof Word w)) {
                diagnostics.error(file, lineNo, "include", "'{' and '}' are not file names");
                continue;
            }
            for (Path target : resolve(file, lineNo, directory, w.text())) {
                if (includesStopped) {
                    return;
                }
                readFile(target, target.toString(), at, "include");
            }
        }
    }

    private List<Path> resolve(String file, int lineNo, Path directory, String pattern) {
        Path path = directory.resolve(pattern);
        String last = path.getFileName() == null ? "" : path.getFileName().toString();
        if (last.chars().noneMatch(ch -> ch == '*' || ch == '?' || ch == '[')) {
            if (!Files.exists(path)) {
                diagnostics.error(file, lineNo, "include", "no such file: " + path);
                return List.of();
            }
            return List.of(path);
        }
        List<Path> matches = new ArrayList<>();
        Path parent = path.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(parent, last)) {
                stream.forEach(p -> {
                    if (!Files.isDirectory(p)) {
                        matches.add(p); // anything else but a regular file is reported when it is read
                    }
                });
            } catch (IOException e) {
                diagnostics.error(file, lineNo, "include", "cannot list " + parent + ": " + e);
            }
        }
        if (matches.isEmpty()) {
            diagnostics.warn(file, lineNo, "include", "'" + pattern + "' matches no file; nothing included");
        }
        matches.sort(null);
        return matches;
    }

    /**
     * Builds statements until the end of the input ({@code opener == null}) or until the {@code }} that
     * closes the block {@code opener} started.
     */
    private List<KeepalivedStatement> statements(KeepalivedStatementDraft opener, int depth) {
        List<KeepalivedStatement> out = new ArrayList<>();
        KeepalivedStatementDraft current = null;
        KeepalivedStatementDraft previous = null;
        while (position < tokens.size()) {
            Token t = tokens.get(position++);
            if (t instanceof Word w) {
                if (current == null) {
                    current = new KeepalivedStatementDraft(w.file(), w.line());
                }
                current.words.add(w.text());
            } else if (t instanceof EndOfLine) {
                if (current != null) {
                    out.add(current.build());
                    previous = current;
                    current = null;
                }
            } else if (t instanceof Open open) {
                KeepalivedStatementDraft owner = current;
                if (owner == null) {
                    // "{" alone on a line belongs to the statement on the line before, if it has no block yet
                    if (previous != null && !previous.hasBlock && !out.isEmpty()) {
                        out.remove(out.size() - 1);
                        owner = previous;
                    } else {
                        diagnostics.error(open.file(), open.line(), "{", "'{' does not follow a keyword");
                        owner = new KeepalivedStatementDraft(open.file(), open.line());
                        owner.words.add("{");
                        owner.discard = true;
                    }
                }
                owner.hasBlock = true;
                if (depth >= MAX_BLOCK_DEPTH) {
                    diagnostics.error(open.file(), open.line(), "{", "blocks nest more than " + MAX_BLOCK_DEPTH
                            + " deep; this block is skipped");
                    skipBlock();
                    owner.discard = true;
                } else {
                    owner.block.addAll(statements(owner, depth + 1));
                }
                if (!owner.discard) {
                    out.add(owner.build());
                }
                previous = owner;
                current = null;
            } else if (t instanceof Close close) {
                if (current != null) {
                    out.add(current.build());
                    current = null;
                }
                if (opener != null) {
                    return out;
                }
                diagnostics.error(close.file(), close.line(), "}", "'}' closes no block");
            }
        }
        if (current != null) {
            out.add(current.build());
        }
        if (opener != null) {
            diagnostics.error(opener.file, opener.line, opener.words.isEmpty() ? "{" : opener.words.get(0),
                    "the block opened here is not closed by '}' before the end of the input");
        }
        return out;
    }

    /** Skips to the '}' that closes the block just opened, without recursion (a hostile file may nest 100,000 deep). */
    private void skipBlock() {
        int open = 1;
        while (position < tokens.size() && open > 0) {
            Token t = tokens.get(position++);
            if (t instanceof Open) {
                open++;
            } else if (t instanceof Close) {
                open--;
            }
        }
    }

    private static final class KeepalivedStatementDraft {
        final String file;
        final int line;
        final List<String> words = new ArrayList<>();
        final List<KeepalivedStatement> block = new ArrayList<>();
        boolean hasBlock;
        boolean discard;

        KeepalivedStatementDraft(String file, int line) {
            this.file = file;
            this.line = line;
        }

        KeepalivedStatement build() {
            return new KeepalivedStatement(file, line, words, hasBlock, block);
        }
    }
}
