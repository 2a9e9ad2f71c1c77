package io.ha4j.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * One side of a relay: bytes read from this channel are written to the peer channel of the same
 * {@link RelaySession}. One instance per channel (it keeps the bytes of the current read batch).
 *
 * <p>The hot path: {@code channelRead} passes the received {@link ByteBuf} on as it is (no copy, no
 * promise: the peer's void promise turns a failed write into an exception on the peer's pipeline);
 * {@code channelReadComplete} flushes the peer once per read batch and asks for the next read only while
 * the peer is writable. When the peer's outbound buffer passes its high water mark, reading stops until
 * the peer's {@code channelWritabilityChanged} says it drained below the low mark: memory per direction is
 * bounded by the water mark plus one read batch, whatever the other side does.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private final RelaySession session;
    private final boolean clientSide;
    private long batchBytes;

    RelayHandler(RelaySession session, boolean clientSide) {
        this.session = session;
        this.clientSide = clientSide;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (clientSide) {
            session.channelActive();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel peer = session.peerOf(clientSide);
        if (msg instanceof ByteBuf) {
            batchBytes += ((ByteBuf) msg).readableBytes();
        }
        if (peer == null) {
            session.holdEarly(msg);
            return;
        }
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel peer = session.peerOf(clientSide);
        long n = batchBytes;
        batchBytes = 0;
        session.readDone(clientSide, n);
        if (peer == null) {
            return;
        }
        peer.flush();
        if (peer.isWritable()) {
            ctx.read();
        } else {
            session.pauseReading(clientSide);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            session.resumeReading(!clientSide);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            session.inputShutdown(clientSide);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.channelClosed(clientSide);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.failed(clientSide, cause);
    }
}
