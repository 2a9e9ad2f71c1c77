package io.ha4j.vrrp;

import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.nio.ByteBuffer;

/**
 * Fixed slots between a transport's receive thread and the instance's scheduler thread: {@link #offer} copies a
 * packet and its metadata in (a full queue counts {@link DropReason#QUEUE_FULL} and drops), the scheduler thread
 * reads slots in order. Preallocated: nothing is allocated per packet.
 */
final class RxQueue {

    /** One received packet: its bytes from offset 0, its length and metadata. */
    static final class Slot {
        final ByteBuffer buffer = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
        final ReceivedPacket metadata = new ReceivedPacket();
        int length;
    }

    private final Slot[] slots;
    private final VrrpCounters counters;
    private int head;
    private int size;

    RxQueue(int capacity, VrrpCounters counters) {
        this.slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = new Slot();
        }
        this.counters = counters;
    }

    /** Copies the packet in; returns whether the consumer must be woken (the queue was empty). */
    synchronized boolean offer(ByteBuffer payload, ReceivedPacket metadata) {
        if (size == slots.length) {
            counters.drop(DropReason.QUEUE_FULL);
            return false;
        }
        Slot slot = slots[(head + size) % slots.length];
        int n = Math.min(payload.remaining(), VrrpPacket.MAX_LENGTH);
        for (int i = 0; i < n; i++) {
            slot.buffer.put(i, payload.get(payload.position() + i));
        }
        slot.length = n;
        slot.metadata.copyFrom(metadata);
        if (payload.remaining() > n) {
            slot.metadata.truncated(true);
        }
        size++;
        return size == 1;
    }

    /** The oldest packet, or null; stays queued until {@link #release()}. */
    synchronized Slot peek() {
        return size == 0 ? null : slots[head];
    }

    synchronized void release() {
        head = (head + 1) % slots.length;
        size--;
    }
}
