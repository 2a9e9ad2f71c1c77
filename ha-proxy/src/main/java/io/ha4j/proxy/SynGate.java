package io.ha4j.proxy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import io.netty.channel.epoll.LinuxSocket;
import jnr.ffi.Pointer;

/**
 * Stops one listening socket from completing new handshakes on VIPs that are leaving this node, while everything else
 * on it goes on: a classic BPF socket filter ({@code SO_ATTACH_FILTER}) that drops, silently, every packet addressed
 * to a gated VIP before TCP sees it. A client's SYN gets no SYN-ACK and no reset, so its kernel sends it again about a
 * second later ({@code TCP_TIMEOUT_INIT}), when the VIP's neighbour entry points at the new master. Accepting it here
 * instead would let the handshake complete on this node just before the new master's gratuitous ARP moves the client,
 * whose next segment then reaches a node that knows no such connection and answers with a reset.
 *
 * <p>The filter: on a listener bound to the VIP itself, {@code ret #0} (drop all); on a wildcard listener
 * ({@code 0.0.0.0}, or {@code ::}, which also receives IPv4), for each gated VIP it loads the IP version and the
 * destination address from the network header ({@code SKF_NET_OFF}: IPv4 {@code daddr} at +16, IPv6 at +24 as four
 * words) and drops on a match; anything else is accepted whole. A second VIP on the same listener replaces the filter
 * with one that drops both ({@code SO_ATTACH_FILTER} swaps it atomically); the last one lifted detaches it. The
 * final ACK of a handshake already under way when the filter is attached is dropped too: that client, which has its
 * SYN-ACK, is reset once the new master's burst moves it. That is a window of one round trip at the moment of the
 * gate, where without the gate every handshake until the burst is exposed.
 *
 * <p>Accepted sockets never keep a filter: Linux copies the listener's filter to each socket it creates for an
 * accepted client ({@code sk_clone_lock}), so a connection to another address accepted while a VIP was gated would
 * carry it, and one to the VIP whose ACK passed just before the filter was attached would drop all of its own packets.
 * So from the first time a listener was gated on, every accepted socket gets {@code SO_DETACH_FILTER}
 * ({@link #accepted}): one system call per connection, only on a listener that has been gated once, and cheaper than
 * proving which queued clients were created while a filter was attached.
 *
 * <p>Only Netty's epoll transport exposes the listening socket's descriptor; with NIO there is no gate
 * ({@link TcpBalancer} logs that once).
 */
final class SynGate {

    private static final int BPF_LD_B_ABS = 0x30;
    private static final int BPF_LD_W_ABS = 0x20;
    private static final int BPF_ALU_RSH_K = 0x74;
    private static final int BPF_JMP_JEQ_K = 0x15;
    private static final int BPF_RET_K = 0x06;
    /** SKF_NET_OFF: negative offsets from here load from the network (IP) header. */
    private static final int SKF_NET_OFF = -0x100000;
    private static final int ACCEPT = 0xffffffff;
    private static final int DROP = 0;
    /** Jumps are 8-bit: a program longer than this cannot jump to its end. */
    private static final int MAX_INSTRUCTIONS = 256;

    private final LinuxSocket socket;
    private final InetSocketAddress localAddress;
    private final Set<InetAddress> gated = new LinkedHashSet<>();
    /** Set at the first attach and never cleared: accepted sockets may carry the listener's filter from then on. */
    private volatile boolean detachOnAccept;

    /** The gate of a bound, listening {@code socket}. */
    SynGate(LinuxSocket socket) {
        this.socket = socket;
        this.localAddress = socket.localAddress();
    }

    /** Whether this listener receives clients of {@code vip}: bound to it, or a wildcard of a family that carries it. */
    boolean serves(InetAddress vip) {
        InetAddress bound = localAddress.getAddress();
        if (!bound.isAnyLocalAddress()) {
            return bound.equals(vip);
        }
        return bound instanceof Inet6Address || vip instanceof Inet4Address;
    }

    /**
     * Drops new clients of {@code vip} from now on, if this listener serves it.
     *
     * @return whether it does (and is now gated for it)
     * @throws IOException when the filter cannot be attached (the message names the call and the errno)
     */
    synchronized boolean gate(InetAddress vip) throws IOException {
        if (!serves(vip) || !socket.isOpen() || !gated.add(vip)) {
            return serves(vip) && socket.isOpen();
        }
        try {
            attach();
        } catch (IOException | RuntimeException e) {
            gated.remove(vip);
            throw e;
        }
        return true;
    }

    /** Lets new clients of {@code vip} in again; the others still gated stay dropped. */
    synchronized void lift(InetAddress vip) throws IOException {
        if (!gated.remove(vip) || !socket.isOpen()) {
            return;
        }
        if (gated.isEmpty()) {
            Native.detachFilter(socket.intValue());
        } else {
            attach();
        }
    }

    /**
     * A socket {@code accept} returned from this listener: takes off the filter it may have inherited (see the class
     * comment); nothing to do on a listener never gated.
     */
    void accepted(int acceptedFd) throws IOException {
        if (detachOnAccept) {
            Native.detachFilter(acceptedFd);
        }
    }

    InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Closes the listening socket, under the lock of {@link #gate} and {@link #lift}: neither can then reach its
     * descriptor number, which the kernel may already have given to another file.
     */
    synchronized void close() throws IOException {
        if (socket.isOpen()) {
            socket.close();
        }
    }

    private void attach() throws IOException {
        int[] program = program();
        int count = program.length / 2;
        // struct sock_fprog { u16 len; struct sock_filter *filter; } then, in the same block, the instructions
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } (the kernel copies both during setsockopt)
        int header = 16;
        Pointer block = Native.allocate(header + 8 * count);
        block.putShort(0, (short) count);
        block.putAddress(8, block.address() + header);
        for (int i = 0; i < count; i++) {
            int codeJumps = program[2 * i];
            block.putShort(header + 8 * i, (short) (codeJumps & 0xffff));
            block.putByte(header + 8 * i + 2, (byte) ((codeJumps >>> 16) & 0xff));
            block.putByte(header + 8 * i + 3, (byte) ((codeJumps >>> 24) & 0xff));
            block.putInt(header + 8 * i + 4, program[2 * i + 1]);
        }
        detachOnAccept = true; // before the attach: a client cloned from the new filter must find it set
        Native.setsockopt(socket.intValue(), Native.SOL_SOCKET, Native.SO_ATTACH_FILTER, block, header, "SO_ATTACH_FILTER");
    }

    /** The filter as (code | jt << 16 | jf << 24, k) pairs. */
    private int[] program() {
        if (!localAddress.getAddress().isAnyLocalAddress()) {
            return new int[] {BPF_RET_K, DROP};
        }
        List<int[]> blocks = new ArrayList<>();
        for (InetAddress vip : gated) {
            blocks.add(vip instanceof Inet4Address ? ipv4Match(vip) : ipv6Match(vip));
        }
        int length = 2; // ret accept, ret drop
        for (int[] b : blocks) {
            length += b.length / 2;
        }
        if (length > MAX_INSTRUCTIONS) {
            throw new IllegalStateException("cannot gate " + gated.size() + " VIPs on one listener (" + localAddress
                    + "): the filter would need " + length + " instructions, at most " + MAX_INSTRUCTIONS);
        }
        int[] program = new int[2 * length];
        int dropAt = length - 1;
        int at = 0;
        for (int[] b : blocks) {
            for (int i = 0; i < b.length; i += 2) {
                int code = b[i];
                if ((code & 0xffff) == BPF_JMP_JEQ_K && (code >>> 16) == 0xff) {
                    code = BPF_JMP_JEQ_K | (dropAt - (at + 1)) << 16; // the address matched: jump to drop
                }
                program[2 * at] = code;
                program[2 * at + 1] = b[i + 1];
                at++;
            }
        }
        program[2 * at] = BPF_RET_K;
        program[2 * at + 1] = ACCEPT;
        program[2 * dropAt] = BPF_RET_K;
        program[2 * dropAt + 1] = DROP;
        return program;
    }

    /** IP version 4 and daddr equal to {@code vip}: jt 0xff stands for "to drop", resolved by {@link #program}. */
    private static int[] ipv4Match(InetAddress vip) {
        int address = ByteBuffer.wrap(vip.getAddress()).getInt();
        return new int[] {
            BPF_LD_B_ABS, SKF_NET_OFF,
            BPF_ALU_RSH_K, 4,
            jeq(0, 2), 4,               // not IPv4: skip this block
            BPF_LD_W_ABS, SKF_NET_OFF + 16,
            jeqToDrop(), address,
        };
    }

    /** IP version 6 and all four words of daddr equal to {@code vip}. */
    private static int[] ipv6Match(InetAddress vip) {
        ByteBuffer b = ByteBuffer.wrap(vip.getAddress());
        return new int[] {
            BPF_LD_B_ABS, SKF_NET_OFF,
            BPF_ALU_RSH_K, 4,
            jeq(0, 8), 6,               // not IPv6: skip this block
            BPF_LD_W_ABS, SKF_NET_OFF + 24,
            jeq(0, 6), b.getInt(0),
            BPF_LD_W_ABS, SKF_NET_OFF + 28,
            jeq(0, 4), b.getInt(4),
            BPF_LD_W_ABS, SKF_NET_OFF + 32,
            jeq(0, 2), b.getInt(8),
            BPF_LD_W_ABS, SKF_NET_OFF + 36,
            jeqToDrop(), b.getInt(12),
        };
    }

    private static int jeq(int jt, int jf) {
        return BPF_JMP_JEQ_K | jt << 16 | jf << 24;
    }

    /** A JEQ whose true branch is resolved to the drop instruction by {@link #program}. */
    private static int jeqToDrop() {
        return BPF_JMP_JEQ_K | 0xff << 16;
    }
}
