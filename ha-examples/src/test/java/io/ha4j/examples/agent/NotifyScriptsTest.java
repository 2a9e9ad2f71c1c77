package io.ha4j.examples.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.vrrp.VrrpState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotifyScriptsTest {

    @Test
    void stateScriptsRunAsWrittenAndNotifyGetsKeepalivedsFourArguments() {
        KeepalivedConfig.Notify notify = new KeepalivedConfig.Notify(Optional.of("/etc/ka/master.sh \"two words\""),
                Optional.of("/etc/ka/backup.sh"), Optional.empty(), Optional.of("/etc/ka/stop.sh"), Optional.of("/etc/ka/any.sh -v"));
        NotifyScripts scripts = new NotifyScripts("VI_1", notify);
        try {
            assertEquals(List.of(List.of("/etc/ka/master.sh", "two words"), List.of("/etc/ka/any.sh", "-v", "INSTANCE", "VI_1", "MASTER", "150")),
                    scripts.commandsFor(VrrpState.MASTER, 150));
            assertEquals(List.of(List.of("/etc/ka/backup.sh"), List.of("/etc/ka/any.sh", "-v", "INSTANCE", "VI_1", "BACKUP", "98")),
                    scripts.commandsFor(VrrpState.BACKUP, 98));
            assertEquals(List.of(List.of("/etc/ka/any.sh", "-v", "INSTANCE", "VI_1", "FAULT", "100")),
                    scripts.commandsFor(VrrpState.FAULT, 100));
            assertEquals(List.of(List.of("/etc/ka/stop.sh"), List.of("/etc/ka/any.sh", "-v", "INSTANCE", "VI_1", "STOP", "100")),
                    scripts.commandsFor(VrrpState.STOP, 100));
            assertEquals(List.of(), scripts.commandsFor(VrrpState.INITIALIZE, 100));
        } finally {
            scripts.close(Duration.ZERO);
        }
    }
}
