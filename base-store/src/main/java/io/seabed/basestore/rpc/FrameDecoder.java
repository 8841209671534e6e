package io.seabed.basestore.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Cuts the byte stream into {@link Frame}s. A length outside [fixed fields, {@code frameBytesMax}] or a header
 * longer than the frame is a protocol error: the decoder throws and the connection closes. While
 * {@code paused} says so (the connection's in-flight bytes are at their limit) it decodes nothing more; the
 * owner resumes it with {@link #resume}.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    /** How much a replaced cumulation grows at most, as a multiple of the bytes it holds. */
    private static final int GROWTH = 8;

    private final long frameBytesMax;
    private final BooleanSupplier paused;

    FrameDecoder(long frameBytesMax, BooleanSupplier paused) {
        this.frameBytesMax = frameBytesMax;
        this.paused = paused;
        setCumulator(this::cumulate);
    }

    /**
     * Netty's merge cumulator, except that a buffer it must replace grows eightfold, up to the whole frame whose
     * length prefix has arrived, instead of doubling: the stock one allocated (zeroed) and copied a large frame
     * again at every doubling. The step stays a multiple of the bytes received, so a peer that announces a large
     * frame and sends little makes the decoder hold little.
     */
    private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (!cumulation.isReadable() && in.isContiguous()) {
            cumulation.release();
            return in;
        }
        try {
            int required = cumulation.readableBytes() + in.readableBytes();
            if (cumulation.refCnt() == 1
                    && !cumulation.isReadOnly()
                    && cumulation.writableBytes() >= in.readableBytes()) {
                cumulation.writeBytes(in);
                return cumulation;
            }
            int wanted = required;
            if (cumulation.readableBytes() >= 4) {
                long length = cumulation.getUnsignedInt(cumulation.readerIndex());
                if (Frame.validLength(length, frameBytesMax))
                    wanted = (int) Math.max(wanted, Math.min(4 + length, (long) required * GROWTH));
            }
            ByteBuf next = alloc.buffer(wanted);
            next.writeBytes(cumulation).writeBytes(in);
            cumulation.release();
            return next;
        } finally {
            in.release();
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused.getAsBoolean() || in.readableBytes() < 4) return;
        long length = in.getUnsignedInt(in.readerIndex());
        if (!Frame.validLength(length, frameBytesMax))
            throw new CorruptedFrameException(
                    "frame length " + length + " outside [" + (Frame.PREFIX_BYTES - 4) + ", " + frameBytesMax + "]");
        if (in.readableBytes() < 4 + length) return;
        int start = in.readerIndex();
        in.skipBytes(4);
        int kind = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int method = in.readUnsignedShort();
        long requestId = in.readLong();
        int timeoutMillis = in.readInt();
        long headerLength = in.readUnsignedInt();
        int crc = in.readInt();
        long payloadLength = length - (Frame.PREFIX_BYTES - 4) - headerLength;
        if (headerLength > Frame.HEADER_BYTES_MAX || payloadLength < 0)
            throw new CorruptedFrameException("header length " + headerLength + " in a frame of " + length);
        byte[] header = new byte[(int) headerLength];
        in.readBytes(header);
        ByteBuf payload = in.readRetainedSlice((int) payloadLength);
        out.add(new Frame(
                kind, flags, method, requestId, timeoutMillis, header, payload, crc, in.readerIndex() - start));
    }

    /** Bytes received and not yet decoded (part of a frame, or frames held while paused). */
    int buffered() {
        return actualReadableBytes();
    }

    /** Decodes what arrived while paused (runs on the channel's event loop). */
    static void resume(ChannelHandlerContext decoderContext) {
        decoderContext.channel().config().setAutoRead(true);
        decoderContext.pipeline().fireChannelRead(io.netty.buffer.Unpooled.EMPTY_BUFFER);
    }
}
