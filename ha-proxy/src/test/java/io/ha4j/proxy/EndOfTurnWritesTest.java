package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's held writes, stepped by hand: an {@link EmbeddedChannel}'s event loop runs its tasks only when told,
 * which stands for the end of the loop's turn.
 */
class EndOfTurnWritesTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EndOfTurnWrites writes = EndOfTurnWrites.current();
    private final List<String> written = new ArrayList<>();

    @AfterEach
    void endTurn() {
        channel.runPendingTasks(); // leave this thread's instance empty for the next test
        channel.finishAndReleaseAll();
    }

    private EndOfTurnWrites.Target recorder(String name) {
        return (buffer, offset, length) -> {
            byte[] bytes = new byte[length];
            buffer.duplicate().position(offset).get(bytes);
            written.add(name + ":" + new String(bytes, StandardCharsets.US_ASCII));
        };
    }

    /** Reads {@code text} at the read offset, as a {@code recv} would, and holds it for {@code target}. */
    private void readAndHold(EndOfTurnWrites.Target target, String text) {
        int at = writes.readOffset();
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        writes.buffer.duplicate().position(at).put(bytes);
        assertTrue(writes.canHold(at, bytes.length));
        writes.hold(channel.eventLoop(), target, at, bytes.length);
    }

    @Test
    void heldReadsAreWrittenAtTheEndOfTheTurnInTheOrderRead() {
        readAndHold(recorder("server1"), "GET /a");
        readAndHold(recorder("client2"), "200 OK");
        readAndHold(recorder("server3"), "GET /b");
        assertEquals(List.of(), written, "nothing is written before the loop's tasks run");

        channel.runPendingTasks();

        assertEquals(List.of("server1:GET /a", "client2:200 OK", "server3:GET /b"), written);
        assertEquals(0, writes.readOffset(), "the buffer starts over once everything held is written");
    }

    @Test
    void aReadIsNeverPlacedOverBytesStillHeld() {
        readAndHold(recorder("a"), "first");
        int next = writes.readOffset();
        assertEquals(5, next);
        readAndHold(recorder("b"), "second");
        assertEquals(11, writes.readOffset());
        channel.runPendingTasks();
        assertEquals(List.of("a:first", "b:second"), written);
    }

    @Test
    void nothingPastTheLimitIsHeldAndAFullReadAlwaysFits() {
        int at = writes.readOffset();
        assertTrue(writes.canHold(at, EndOfTurnWrites.HELD_BYTES));
        assertFalse(writes.canHold(at, EndOfTurnWrites.HELD_BYTES + 1));
        writes.hold(channel.eventLoop(), recorder("big"), at, EndOfTurnWrites.HELD_BYTES - 1);
        int top = writes.readOffset();
        assertFalse(writes.canHold(top, 2), "past the limit a read is written at once");
        assertTrue(top + EndOfTurnWrites.READ_SIZE <= writes.buffer.capacity(), "a full read still fits past what is held");
        channel.runPendingTasks();
        assertEquals(1, written.size());
    }

    @Test
    void whileTheHeldWritesRunNothingNewIsHeldAndReadsLandPastTheUnwritten() {
        List<String> seen = new ArrayList<>();
        EndOfTurnWrites.Target resumesItsSource = (buffer, offset, length) -> {
            // a write that empties a session's buffer resumes reading its source: that read must not be held, and
            // must not land on the next target's bytes
            int at = writes.readOffset();
            seen.add("canHold=" + writes.canHold(at, 10) + " at=" + at);
        };
        readAndHold(resumesItsSource, "0123456789");
        readAndHold(recorder("next"), "abcdefghij");

        channel.runPendingTasks();

        assertEquals(List.of("canHold=false at=20"), seen);
        assertEquals(List.of("next:abcdefghij"), written);
    }

    @Test
    void aReadDoneAfterTheTurnIsHeldForTheNextTurn() {
        readAndHold(recorder("one"), "x");
        channel.runPendingTasks();
        readAndHold(recorder("two"), "y");
        assertEquals(List.of("one:x"), written);
        channel.runPendingTasks();
        assertEquals(List.of("one:x", "two:y"), written);
    }
}
