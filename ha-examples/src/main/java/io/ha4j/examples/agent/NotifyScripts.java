package io.ha4j.examples.agent;

import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpListener;
import io.ha4j.vrrp.VrrpState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keepalived's notify scripts for one instance: {@code notify_master}, {@code notify_backup},
 * {@code notify_fault} and {@code notify_stop} run as written on entering that state; {@code notify} runs
 * on every change with keepalived's four extra arguments {@code INSTANCE <name> <MASTER|BACKUP|FAULT|STOP>
 * <priority>}.
 *
 * <p>Like keepalived, scripts run without a shell (words split by {@link CommandLineWords}), are not waited
 * for, and their output is discarded; a non-zero exit status is logged. They are started in order on one
 * thread of their own ({@code ha-agent-notify-<instance>}), never on the VRRP thread, so a slow script cannot
 * delay adverts. {@link #close(Duration)} waits for scripts still to be started (the stop script, at
 * shutdown).
 */
final class NotifyScripts implements VrrpListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyScripts.class);

    private final String instanceName;
    private final KeepalivedConfig.Notify scripts;
    private final ExecutorService executor;

    NotifyScripts(String instanceName, KeepalivedConfig.Notify scripts) {
        this.instanceName = instanceName;
        this.scripts = scripts;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ha-agent-notify-" + instanceName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers with {@code instance}, called on this object's own thread. */
    void attach(VrrpInstance instance) {
        instance.addListener(this, executor);
    }

    /** The command lines to run for a change to {@code to} at {@code priority}, in keepalived's order. */
    List<List<String>> commandsFor(VrrpState to, int priority) {
        Optional<String> specific = switch (to) {
            case MASTER -> scripts.master();
            case BACKUP -> scripts.backup();
            case FAULT -> scripts.fault();
            case STOP -> scripts.stop();
            default -> Optional.empty();
        };
        List<List<String>> out = new ArrayList<>();
        specific.ifPresent(s -> out.add(CommandLineWords.split(s)));
        if (scripts.any().isPresent() && to != VrrpState.INITIALIZE) {
            List<String> generic = new ArrayList<>(CommandLineWords.split(scripts.any().get()));
            generic.addAll(List.of("INSTANCE", instanceName, to.name(), Integer.toString(priority)));
            out.add(generic);
        }
        return out;
    }

    @Override
    public void stateChanged(VrrpInstance instance, VrrpState from, VrrpState to, String reason) {
        for (List<String> command : commandsFor(to, instance.effectivePriority())) {
            try {
                Process p = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectErrorStream(true)
                        .start();
                p.onExit().thenAccept(done -> {
                    if (done.exitValue() != 0) {
                        LOG.warn("Notify script {} of '{}' ({} -> {}) exited with status {}", command, instanceName, from, to, done.exitValue());
                    }
                });
            } catch (IOException | RuntimeException e) {
                LOG.warn("Notify script {} of '{}' ({} -> {}) could not be started: {}", command, instanceName, from, to, e.toString());
            }
        }
    }

    /** Starts what is queued (within {@code deadline}), then stops the thread. */
    void close(Duration deadline) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Notify scripts of '{}' still pending after {}; not started", instanceName, deadline);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
