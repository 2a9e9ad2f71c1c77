package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ha4j.vrrp.VrrpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and mutated configuration files through {@code ha-agent --check} (issue 11, the configuration
 * line of RELIABILITY.md): the seeds' keepalived.conf and haproxy.cfg files, mutated line- and byte-wise
 * (lines deleted, repeated, swapped, spliced from the other syntax; words replaced by hostile tokens;
 * random and binary bytes; truncation; braces nested deep), plus hostile files built whole (include
 * cycles, a megabyte word, NUL and non-UTF-8 bytes, a file of random bytes). For every case the agent must
 * exit 0 or 1 without an exception escaping, and print only findings of the form
 * {@code [ERROR|WARNING] file[:line]: 'keyword': message}, where an error without a line is about the file
 * as a whole, and no stack trace.
 *
 * <p>The seed is printed; rerun one with {@code -Dha4j.corpus.seed=N}, and a larger run with
 * {@code -Dha4j.corpus.cases=N} (RELIABILITY.md has the command and the figures). Each case's time is
 * measured and the slowest is printed, not asserted.
 */
class ConfigCorpusTest {

    private static final VrrpTransport.Factory NO_TRANSPORT = spec -> {
        throw new AssertionError("a transport was opened for " + spec);
    };

    private static final List<String> KEEPALIVED_SEEDS = List.of("seed000-keepalived-node1.conf",
            "seed001-keepalived-master01.conf", "seed001-keepalived-template.conf", "seed003-keepalived-master.conf",
            "seed003-keepalived-backup.conf");
    private static final List<String> HAPROXY_SEEDS = List.of("seed001-haproxy-example.cfg", "seed001-haproxy-template.cfg",
            "seed002-haproxy.cfg", "seed003-haproxy.cfg");

    /** Words a hostile or careless file might hold where a value or keyword belongs. */
    private static final List<String> HOSTILE_WORDS = List.of("", "0", "-1", "256", "65536", "2147483648", "9223372036854775808",
            "99999999999999999999999999", "1e999999999", "0.0000001", "NaN", "-0", "0x10", "{", "}", "{}", "\"", "'", "\\", "#",
            "!", "${X}", "${", "\"${HOME}\"", "<VIP>", "include *.conf", "include /dev/zero", "include ./*", "include .",
            "*:0", ":", "[::1]:70000", "256.256.256.256", "::ffff:1.2.3.4", "198.18.0.1/33", "fe80::1%eth0", "eth0/1",
            "a".repeat(300), "é", "\u202e", "\u0000", "\u001b[2J", "\t", "\r", "weight", "reverse", "check", "ssl",
            "verify", "none", "backup", "MASTER", "BACKUP", "option", "httpchk", "timeout", "bind", "server", "listen",
            "frontend", "backend", "defaults", "global", "vrrp_instance", "vrrp_script", "vrrp_sync_group", "group",
            "track_script", "virtual_ipaddress", "authentication", "auth_pass", "notify", "no", "mode", "http", "stats");

    private static final Pattern FINDING = Pattern.compile("^\\[(ERROR|WARNING)\\] (\\S+?)(?::(\\d+))?: '(.*)': (.+)$");
    private static final Pattern MORE = Pattern.compile("^ha-agent: \\d+ more error\\(s\\) and warning\\(s\\) not listed; .*$");

    @Test
    void hostileAndMutatedFilesEndInExitZeroOrOneWithLocatedFindings(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("ha4j.corpus.seed", new Random().nextLong());
        int cases = Integer.getInteger("ha4j.corpus.cases", 3000);
        System.out.println("ConfigCorpusTest seed " + seed + " (-Dha4j.corpus.seed=" + seed + "), " + cases + " mutated cases");
        Random random = new Random(seed);
        List<String> keepalived = new ArrayList<>();
        KEEPALIVED_SEEDS.forEach(n -> keepalived.add(TestFiles.text(n)));
        List<String> haproxy = new ArrayList<>();
        HAPROXY_SEEDS.forEach(n -> haproxy.add(TestFiles.text(n)));

        Tally tally = new Tally();
        int index = 0;
        for (Hostile h : hostileFiles(dir)) {
            check(h.option(), h.file(), "hostile " + h.file().getFileName(), seed, tally);
        }
        for (; index < cases; index++) {
            boolean isKeepalived = random.nextBoolean();
            List<String> own = isKeepalived ? keepalived : haproxy;
            List<String> other = isKeepalived ? haproxy : keepalived;
            byte[] text = mutate(own.get(random.nextInt(own.size())), other.get(random.nextInt(other.size())), random);
            Path file = dir.resolve("case" + (isKeepalived ? ".conf" : ".cfg"));
            Files.write(file, text);
            check(isKeepalived ? "--keepalived-conf" : "--haproxy-cfg", file, "case " + index, seed, tally);
        }
        System.out.println("ConfigCorpusTest: " + tally);
        assertTrue(tally.invalid > 0 && tally.valid > 0, "the mutations should produce both verdicts: " + tally);
    }

    private static final class Tally {
        int valid;
        int invalid;
        long findings;
        long slowestNanos;
        String slowest = "";

        @Override
        public String toString() {
            return (valid + invalid) + " files: " + valid + " valid, " + invalid + " invalid, " + findings
                    + " findings printed; slowest " + slowestNanos / 1_000_000 + " ms (" + slowest + ")";
        }
    }

    private static void check(String option, Path file, String label, long seed, Tally tally) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        HaAgent agent = new HaAgent(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                NO_TRANSPORT);
        long start = System.nanoTime();
        int code;
        try {
            code = agent.run(option, file.toString(), "--check");
        } catch (Throwable t) {
            throw new AssertionError(label + " (seed " + seed + ") threw; the file is kept as " + keep(file), t);
        }
        long took = System.nanoTime() - start;
        if (took > tally.slowestNanos) {
            tally.slowestNanos = took;
            tally.slowest = label;
        }
        String errText = err.toString(StandardCharsets.UTF_8);
        if (code != 0 && code != 1) {
            fail(label + " (seed " + seed + ") exited " + code + "; kept as " + keep(file) + "\n" + errText);
        }
        boolean anyError = false;
        for (String line : errText.lines().toList()) {
            Matcher m = FINDING.matcher(line);
            if (!m.matches()) {
                if (MORE.matcher(line).matches()) {
                    continue;
                }
                fail(label + " (seed " + seed + "): not a finding: " + line + "\nkept as " + keep(file) + "\n" + errText);
            }
            tally.findings++;
            boolean error = m.group(1).equals("ERROR");
            anyError |= error;
            boolean located = m.group(3) != null && Integer.parseInt(m.group(3)) > 0;
            if (error && !located && !FILE_LEVEL.contains(m.group(4))) {
                fail(label + " (seed " + seed + "): an error without a line: " + line + "\nkept as " + keep(file));
            }
            if (m.group(4).isEmpty() || line.contains("Exception") || line.contains("\tat ")) {
                fail(label + " (seed " + seed + "): " + line + "\nkept as " + keep(file));
            }
        }
        assertEquals(code == 1, anyError, label + " (seed " + seed + "): the exit code and the errors disagree\n" + errText);
        if (code == 0) {
            tally.valid++;
        } else {
            tally.invalid++;
        }
    }

    /** Errors about a file as a whole, which have no line. */
    private static final List<String> FILE_LEVEL = List.of("file", "vrrp_instance", "frontend");

    private static Path keep(Path file) throws Exception {
        Path kept = Files.createTempFile("ha4j-corpus-", "-" + file.getFileName());
        Files.copy(file, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return kept;
    }

    private static byte[] mutate(String own, String other, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(own.split("\n", -1)));
        List<String> otherLines = Arrays.asList(other.split("\n", -1));
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations && !lines.isEmpty(); i++) {
            int at = random.nextInt(lines.size());
            switch (random.nextInt(9)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, lines.get(random.nextInt(lines.size())));
                case 2 -> {
                    int other2 = random.nextInt(lines.size());
                    String t = lines.get(at);
                    lines.set(at, lines.get(other2));
                    lines.set(other2, t);
                }
                case 3 -> lines.add(at, otherLines.get(random.nextInt(otherLines.size())));
                case 4 -> lines.set(at, replaceWord(lines.get(at), random));
                case 5 -> lines.set(at, lines.get(at) + " " + HOSTILE_WORDS.get(random.nextInt(HOSTILE_WORDS.size())));
                case 6 -> {
                    int from = random.nextInt(lines.size());
                    int to = Math.min(lines.size(), from + 1 + random.nextInt(20));
                    List<String> block = new ArrayList<>(lines.subList(from, to));
                    for (int r = random.nextInt(50); r > 0; r--) {
                        lines.addAll(to, block);
                    }
                }
                case 7 -> {
                    String brace = random.nextBoolean() ? "{" : "}";
                    lines.add(at, (random.nextBoolean() ? "vrrp_instance X " : "") + brace.repeat(1 + random.nextInt(random.nextInt(10) == 0
                            ? 100_000 : 5)));
                }
                default -> lines = new ArrayList<>(lines.subList(0, at));
            }
        }
        byte[] bytes = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(10) == 0 && bytes.length > 0) {
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
        }
        return bytes;
    }

    private static String replaceWord(String line, Random random) {
        String[] words = line.trim().split("\\s+");
        if (words.length == 0) {
            return HOSTILE_WORDS.get(random.nextInt(HOSTILE_WORDS.size()));
        }
        words[random.nextInt(words.length)] = HOSTILE_WORDS.get(random.nextInt(HOSTILE_WORDS.size()));
        return "    " + String.join(" ", words);
    }

    private record Hostile(String option, Path file) {
    }

    /** The kinds of file issue 11 found hanging or exhausting the agent, and their relatives, for both options. */
    private static List<Hostile> hostileFiles(Path dir) throws Exception {
        List<Path> files = new ArrayList<>();
        Path cycle = Files.createDirectories(dir.resolve("cycle"));
        for (int i = 1; i <= 6; i++) {
            Files.writeString(cycle.resolve(i + ".conf"), "include *.conf\n");
        }
        files.add(Files.writeString(dir.resolve("cycle-main.conf"), "include cycle/*.conf\n"));
        files.add(Files.writeString(dir.resolve("self.conf"), "include self.conf\n"));
        files.add(Files.writeString(dir.resolve("dot.conf"), "include .\ninclude ..\ninclude /\n"));
        files.add(Path.of("/dev/zero"));
        files.add(Path.of("/dev/null"));
        files.add(dir);
        files.add(Files.writeString(dir.resolve("empty.conf"), ""));
        files.add(Files.writeString(dir.resolve("huge-word.conf"), "x".repeat(1_000_000) + "\n"));
        files.add(Files.writeString(dir.resolve("huge-line.cfg"), "global\n    maxconn " + "9".repeat(1_000_000) + "\n"));
        files.add(Files.writeString(dir.resolve("many-errors.cfg"), "bogus\n".repeat(300_000)));
        files.add(Files.writeString(dir.resolve("deep.conf"), "vrrp_instance X " + "{".repeat(200_000) + "\n"));
        files.add(Files.writeString(dir.resolve("deep-closed.conf"), "a {\n".repeat(50_000) + "}\n".repeat(50_000)));
        files.add(Files.write(dir.resolve("nul.conf"), new byte[] {'a', 0, 'b', '\n'}));
        files.add(Files.write(dir.resolve("latin1.cfg"), new byte[] {'g', 'l', 'o', 'b', 'a', 'l', '\n', (byte) 0xe9, '\n'}));
        byte[] junk = new byte[200_000];
        new Random(11).nextBytes(junk);
        files.add(Files.write(dir.resolve("junk.bin"), junk));
        byte[] text = new byte[200_000];
        Random r = new Random(12);
        String alphabet = " {}\"'#!\\\n\tab1:.*$";
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        files.add(Files.write(dir.resolve("punctuation.txt"), text));
        List<Hostile> out = new ArrayList<>();
        for (Path f : files) {
            out.add(new Hostile("--keepalived-conf", f));
            out.add(new Hostile("--haproxy-cfg", f));
        }
        return out;
    }
}
