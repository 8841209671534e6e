package io.seabed.basestore.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;

/**
 * One frame of the data-plane protocol, big-endian:
 *
 * <pre>
 * u32 length        bytes after this field
 * u8  kind          1 request, 2 reply, 3 error reply
 * u8  flags         bit 0: the payload CRC32C field is set
 * u16 method        {@link RpcMethod} id (replies repeat the request's)
 * u64 requestId     chosen by the caller, unique among its calls in flight on the connection
 * u32 timeoutMillis requests: the time left to the caller's deadline when sent (never a wall-clock time, so
 *                   the two sides' clocks are never compared); replies: 0
 * u32 headerLength  method-specific header (error replies: u16 code, then a UTF-8 message)
 * u32 payloadCrc32c of the payload bytes
 * header bytes, then payload bytes (the rest of the frame)
 * </pre>
 *
 * The decoded form holds the header as bytes and the payload as a retained slice of the read buffer, which
 * whoever takes the frame releases.
 */
record Frame(
        int kind,
        int flags,
        int method,
        long requestId,
        int timeoutMillis,
        byte[] header,
        ByteBuf payload,
        int payloadCrc,
        int frameBytes) {
    static final int KIND_REQUEST = 1;
    static final int KIND_REPLY = 2;
    static final int KIND_ERROR = 3;
    static final int FLAG_CRC = 1;
    /** The length field and the fixed fields after it. */
    static final int PREFIX_BYTES = 4 + 1 + 1 + 2 + 8 + 4 + 4 + 4;
    /** Largest method header. */
    static final int HEADER_BYTES_MAX = 64 * 1024;

    /** Whether the payload matches its CRC (true when the frame carries none). */
    boolean payloadIntact() {
        return (flags & FLAG_CRC) == 0 || crc32c(payload) == payloadCrc;
    }

    static int crc32c(ByteBuf buf) {
        CRC32C crc = new CRC32C();
        if (buf.readableBytes() == 0) return (int) crc.getValue();
        for (ByteBuffer b : buf.nioBuffers(buf.readerIndex(), buf.readableBytes())) crc.update(b);
        return (int) crc.getValue();
    }

    /**
     * Writes a frame and flushes, from any thread: the prefix and the payload go out in one event-loop task, so
     * frames written from different threads never interleave. The payload's buffer (or file region) is released
     * once written or failed. Returns the write's future (failed when the connection is gone).
     */
    static ChannelFuture write(
            Channel channel,
            int kind,
            int methodId,
            long requestId,
            int timeoutMillis,
            byte[] header,
            RpcPayload payload) {
        long length = PREFIX_BYTES - 4L + header.length + payload.length();
        if (length > Integer.MAX_VALUE) {
            release(payload);
            throw new IllegalArgumentException("frame of " + length + " bytes");
        }
        ChannelPromise promise = channel.newPromise();
        Runnable write = () -> {
            int crc;
            Object body;
            switch (payload) {
                case RpcPayload.Bytes b -> {
                    crc = crc32c(b.buf());
                    body = b.buf();
                }
                case RpcPayload.FileRange f -> {
                    crc = f.crc32c();
                    body = new SharedFileRegion(f);
                }
            }
            ByteBuf prefix = channel.alloc().ioBuffer(PREFIX_BYTES + header.length);
            prefix.writeInt((int) length)
                    .writeByte(kind)
                    .writeByte(FLAG_CRC)
                    .writeShort(methodId)
                    .writeLong(requestId)
                    .writeInt(timeoutMillis)
                    .writeInt(header.length)
                    .writeInt(crc)
                    .writeBytes(header);
            channel.write(prefix, channel.voidPromise());
            channel.writeAndFlush(body, promise);
        };
        if (channel.eventLoop().inEventLoop()) {
            write.run();
        } else {
            try {
                channel.eventLoop().execute(write);
            } catch (RejectedExecutionException e) {
                release(payload);
                promise.setFailure(e);
            }
        }
        return promise;
    }

    /** Releases a payload that will not be sent. */
    static void release(RpcPayload payload) {
        switch (payload) {
            case RpcPayload.Bytes b -> b.buf().release();
            case RpcPayload.FileRange f -> f.released().run();
        }
    }

    /** Bytes a frame with this header and payload occupies on the wire. */
    static long wireBytes(byte[] header, RpcPayload payload) {
        return PREFIX_BYTES + header.length + payload.length();
    }

    /** A file range sent by sendfile that leaves the channel open (its owner closes it). */
    private static final class SharedFileRegion extends DefaultFileRegion {
        private final Runnable released;

        SharedFileRegion(RpcPayload.FileRange f) {
            super(f.file(), f.position(), f.length());
            this.released = f.released();
        }

        @Override
        protected void deallocate() {
            // The file channel belongs to the block store, not to this send: tell the owner it may go on.
            released.run();
        }
    }

    /** Frame length checks shared by both ends. */
    static boolean validLength(long length, long frameBytesMax) {
        return length >= PREFIX_BYTES - 4 && length <= frameBytesMax;
    }
}
