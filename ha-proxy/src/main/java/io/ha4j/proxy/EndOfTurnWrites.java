package io.ha4j.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The event loop's read buffer, and the small reads held in it until the end of the loop's turn, when they are
 * written all at once: HAProxy's order (its I/O callbacks read, and the stream tasks that run after every ready
 * socket was read do the sends), for {@link DirectSession}.
 *
 * <p>Why: in request/response traffic every read is small and each write wakes the peer that reads it (the backend,
 * the client). Written as soon as it was read, each message woke a peer for one request while the loop still had
 * others to read: per keep-alive request the machine switched context 0.89–1.13 times through ha4j against
 * 0.72–0.90 through HAProxy; held to the end of the turn, 0.75–0.94 against 0.85–0.96 in the same hour
 * ({@code benchmarks/RESULTS.md}, issue 12). Holding costs no copy: the read lands in this buffer at
 * {@link #readOffset()} and stays there until it is written.
 *
 * <p>What is held: only a first read shorter than {@link #READ_SIZE} (the socket is drained: it is a message, not
 * part of a stream), and at most {@link #HELD_BYTES} per turn; a read past that is written at once. A full read (a
 * stream) is written at once, as before. While the held writes are being done, nothing new is held: a read done
 * meanwhile (a source resumed by one of them) lands past the held bytes not yet written, and is written at once.
 *
 * <p>One per event loop thread, shared by the balancers on that loop; everything here runs on that thread.
 */
final class EndOfTurnWrites implements Runnable {

    /** The most one {@code recv} asks for; a read shorter than this drained the socket. */
    static final int READ_SIZE = 64 * 1024;
    /** The most held per turn (64 keep-alive requests of 1 KiB and their headers fit). */
    static final int HELD_BYTES = 128 * 1024;

    /** A socket that can be written what was held for it. */
    interface Target {
        /**
         * Writes {@code length} bytes of {@code buffer} from {@code offset}, and keeps what the socket did not take.
         * Must not throw: the writes held for the other targets come after it.
         */
        void writeHeld(ByteBuffer buffer, int offset, int length);
    }

    private static final FastThreadLocal<EndOfTurnWrites> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected EndOfTurnWrites initialValue() {
            return new EndOfTurnWrites();
        }
    };

    final ByteBuffer buffer = ByteBuffer.allocateDirect(HELD_BYTES + READ_SIZE);
    private Target[] targets = new Target[64];
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private int count;
    /** Where the next read goes: the end of what is held. */
    private int top;
    private boolean scheduled;
    private boolean writing;

    private EndOfTurnWrites() {
    }

    /** The current thread's: call only on an event loop thread. */
    static EndOfTurnWrites current() {
        return PER_LOOP.get();
    }

    /**
     * Where to read up to {@link #READ_SIZE} bytes into {@link #buffer}: past what is held, which stays there until
     * it is written. There is always room, as no more than {@link #HELD_BYTES} are held.
     */
    int readOffset() {
        return top;
    }

    /**
     * Whether {@code length} bytes read at {@code offset} may be held: not while the held writes are being done,
     * and not past {@link #HELD_BYTES} (those are written at once instead).
     */
    boolean canHold(int offset, int length) {
        return !writing && offset + length <= HELD_BYTES;
    }

    /**
     * Holds {@code length} bytes just read at {@code offset} (the last {@link #readOffset()}) for {@code target},
     * to be written at the end of this turn of {@code loop}.
     */
    void hold(EventLoop loop, Target target, int offset, int length) {
        if (count == targets.length) {
            targets = Arrays.copyOf(targets, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        targets[count] = target;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        top = offset + length;
        if (!scheduled) {
            loop.execute(this); // run after the I/O of this turn: Netty runs the loop's tasks once its events are handled
            scheduled = true;
        }
    }

    @Override
    public void run() {
        scheduled = false;
        writeAll();
    }

    private void writeAll() {
        writing = true;
        try {
            for (int i = 0; i < count; i++) {
                Target t = targets[i];
                targets[i] = null;
                t.writeHeld(buffer, offsets[i], lengths[i]);
            }
        } finally {
            count = 0;
            top = 0;
            writing = false;
        }
    }
}
