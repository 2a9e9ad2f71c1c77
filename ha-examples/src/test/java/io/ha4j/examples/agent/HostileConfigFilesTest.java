package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.vrrp.VrrpTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration files that used to hang the agent or exhaust it (issue 11, item 3): include cycles through a
 * glob of the including file's own directory (3 files made 6,561 errors, 6 files 1.68 M errors and 4.4 GB),
 * {@code /dev/zero} (OutOfMemoryError), a FIFO (a read that never returns), oversized and binary files. Each
 * must end {@code --check} with exit 1 and a few errors that name the file and line.
 */
class HostileConfigFilesTest {

    private static final VrrpTransport.Factory NO_TRANSPORT = spec -> {
        throw new AssertionError("a transport was opened for " + spec);
    };

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String option, Path file) {
        return new HaAgent(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                NO_TRANSPORT).run(option, file.toString(), "--check");
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The directory {@code d} holds {@code n} files that each include {@code *.conf}: their own directory. */
    private static Path globCycle(Path dir, int n) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        for (int i = 1; i <= n; i++) {
            Files.writeString(d.resolve(i + ".conf"), "include *.conf\nvrrp_script chk" + i + " {\n    script /bin/true\n}\n");
        }
        Path main = dir.resolve("keepalived.conf");
        Files.writeString(main, "include d/*.conf\n");
        return main;
    }

    @Test
    void aGlobThatIncludesItsOwnDirectoryIsOneCycleErrorNamingTheChain(@TempDir Path dir) throws Exception {
        Path main = globCycle(dir, 3);
        Diagnostics diagnostics = new Diagnostics();
        KeepalivedParser.parse(main, diagnostics);
        List<Diagnostic> errors = diagnostics.errors();
        assertEquals(1, errors.size(), TestFiles.dump(diagnostics));
        Diagnostic cycle = errors.get(0);
        assertEquals("include", cycle.keyword());
        assertEquals(dir.resolve("d/1.conf").toString(), cycle.file());
        assertEquals(1, cycle.line());
        assertTrue(cycle.message().startsWith("include cycle: " + main + " -> " + dir.resolve("d/1.conf") + " -> "
                + dir.resolve("d/1.conf") + ": " + dir.resolve("d/1.conf") + " is already being read"), cycle.message());
    }

    @Test
    void sixFilesInTheCycleStillGiveOneError(@TempDir Path dir) throws Exception {
        Path main = globCycle(dir, 6);
        assertEquals(1, check("--keepalived-conf", main));
        assertEquals(1, err().lines().filter(l -> l.startsWith("[ERROR]")).count(), err());
        assertTrue(err().contains("include cycle"), err());
    }

    @Test
    void includesNestAtMostEightDeep(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 12; i++) {
            Files.writeString(dir.resolve("level" + i + ".conf"), "include level" + (i + 1) + ".conf\n");
        }
        Files.writeString(dir.resolve("level12.conf"), "");
        Diagnostics diagnostics = new Diagnostics();
        KeepalivedParser.parse(dir.resolve("level0.conf"), diagnostics);
        assertEquals(List.of("include"), TestFiles.keywords(diagnostics.errors()), TestFiles.dump(diagnostics));
        assertTrue(diagnostics.errors().get(0).message().contains("nest more than 8 deep"), TestFiles.dump(diagnostics));
        assertEquals(dir.resolve("level8.conf").toString(), diagnostics.errors().get(0).file());
    }

    @Test
    void aFileIncludedOverAndOverStopsAtTheFileLimit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("empty.conf"), "! nothing\n");
        Files.writeString(dir.resolve("keepalived.conf"), "include empty.conf\n".repeat(KeepalivedLexer.MAX_FILES + 50));
        Diagnostics diagnostics = new Diagnostics();
        KeepalivedParser.parse(dir.resolve("keepalived.conf"), diagnostics);
        assertEquals(1, diagnostics.errorCount(), TestFiles.dump(diagnostics));
        assertTrue(diagnostics.errors().get(0).message().contains("more than " + KeepalivedLexer.MAX_FILES + " files"),
                TestFiles.dump(diagnostics));
        assertEquals(KeepalivedLexer.MAX_FILES, diagnostics.errors().get(0).line());
    }

    @Test
    void includedFilesAddUpToTwoMebibytesAtMost(@TempDir Path dir) throws Exception {
        String part = "! " + "x".repeat(900 * 1024) + "\n";
        for (String name : List.of("a.conf", "b.conf", "c.conf")) {
            Files.writeString(dir.resolve(name), part);
        }
        Files.writeString(dir.resolve("keepalived.conf"), "include a.conf\ninclude b.conf\ninclude c.conf\ninclude a.conf\n");
        Diagnostics diagnostics = new Diagnostics();
        KeepalivedParser.parse(dir.resolve("keepalived.conf"), diagnostics);
        assertEquals(1, diagnostics.errorCount(), TestFiles.dump(diagnostics));
        Diagnostic total = diagnostics.errors().get(0);
        assertEquals(3, total.line());
        assertTrue(total.message().startsWith("the files of this configuration add up to more than 2 MiB; " + dir.resolve("c.conf")),
                total.message());
    }

    @Test
    void devZeroIsNotAConfigurationFile() {
        assertEquals(1, check("--keepalived-conf", Path.of("/dev/zero")));
        assertTrue(err().contains("[ERROR] /dev/zero: 'file': is not a regular file"), err());
        assertEquals(1, check("--haproxy-cfg", Path.of("/dev/zero")));
        assertEquals(2, err().lines().filter(l -> l.startsWith("[ERROR] /dev/zero: 'file': is not a regular file")).count(), err());
    }

    /** The timeout only stops a hang from blocking the build; the assertions are on what --check says. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFifoIsRefusedInsteadOfBlockingTheRead(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("keepalived.conf");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        assertEquals(1, check("--keepalived-conf", fifo));
        assertEquals(1, check("--haproxy-cfg", fifo));
        assertEquals(2, err().lines().filter(l -> l.startsWith("[ERROR] " + fifo + ": 'file': is not a regular file")).count(), err());
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "include keepalived.conf\n");
        assertEquals(1, check("--keepalived-conf", main));
        assertTrue(err().contains("[ERROR] " + main + ":1: 'include': " + fifo + ": is not a regular file"), err());
    }

    @Test
    void anOversizedFileIsAnErrorNamingTheLimit(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.cfg");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(HaproxyParser.MAX_FILE_BYTES + 1); // sparse: no disk space, no memory
        }
        assertEquals(1, check("--haproxy-cfg", big));
        assertTrue(err().contains("[ERROR] " + big + ": 'file': is " + (HaproxyParser.MAX_FILE_BYTES + 1)
                + " bytes, larger than 2 MiB, the most a configuration file may be"), err());
        assertEquals(1, check("--keepalived-conf", big));
        assertTrue(err().contains("larger than 1 MiB"), err());
    }

    @Test
    void binaryInputIsAnErrorAtItsLine(@TempDir Path dir) throws Exception {
        Path nul = dir.resolve("nul.cfg");
        Files.write(nul, "global\n    maxconn 10\n    max\0conn 10\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, check("--haproxy-cfg", nul));
        assertTrue(err().contains("[ERROR] " + nul + ":3: 'file': stray NUL character at column 8"), err());
        Path latin1 = dir.resolve("latin1.conf");
        Files.write(latin1, new byte[] {'!', ' ', 'c', 'a', 'f', (byte) 0xe9, '\n'});
        assertEquals(1, check("--keepalived-conf", latin1));
        assertTrue(err().contains("[ERROR] " + latin1 + ":1: 'file': this line is not UTF-8 text"), err());
        assertTrue(!err().contains("Exception"), err());
    }
}
