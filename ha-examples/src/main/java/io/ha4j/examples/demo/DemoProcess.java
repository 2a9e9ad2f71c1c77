package io.ha4j.examples.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node or the client as its own JVM inside its network namespace ({@code ip netns exec NS java ...}), which
 * is how a user deploys ha4j and what makes a crash a real {@code kill -9}.
 *
 * <p>The child prints its {@link DemoEvent}s on standard output (read here by a daemon thread and handed to
 * the sink) and its logs on standard error (appended to {@code <name>.log} in the run directory). Commands go
 * to its standard input, one per line; when this process dies, the child reads end-of-file on its input and
 * shuts down by itself, so no node outlives the demo.
 */
final class DemoProcess implements AutoCloseable {

    /** JVM options for a quick start and a small footprint: five JVMs share two cores in CI. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
            "-Xmx128m", "-XX:MaxDirectMemorySize=64m", "-Dorg.slf4j.simpleLogger.showDateTime=true");

    private final String name;
    private final Process process;
    private final OutputStream commands;
    private final Thread reader;

    private DemoProcess(String name, Process process, Thread reader) {
        this.name = name;
        this.process = process;
        this.commands = process.getOutputStream();
        this.reader = reader;
    }

    /** Starts {@code mainClass} with {@code args} in namespace {@code namespace}. */
    static DemoProcess start(String name, String namespace, String mainClass, List<String> args, Path runDir,
                             Consumer<DemoEvent> events) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(runDir.resolve(name + ".log").toFile()))
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    DemoEvent.decode(line).ifPresent(events);
                }
            } catch (IOException ignored) {
                // the child is gone; its exit is reported by whoever ended it
            }
        }, "demo-read-" + name);
        reader.setDaemon(true);
        reader.start();
        return new DemoProcess(name, p, reader);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends one command line; false if the child no longer reads. */
    boolean send(String command) {
        try {
            commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code kill -9}: no priority 0 sent, no VIP removed, no socket closed politely. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Asks the child to stop (it closes its cluster: priority 0, VIPs removed), waits up to
     * {@code timeoutSeconds}, then kills it.
     */
    void stop(long timeoutSeconds) throws InterruptedException {
        requestStop();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            kill();
        }
        reader.join(2000);
    }

    /** Asks the child to stop without waiting: {@code quit}, then end of its input. */
    void requestStop() {
        send("quit");
        try {
            commands.close();
        } catch (IOException ignored) {
            // the child already went away
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                stop(5);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
