package io.seabed.basestore.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.channels.FileChannel;

/**
 * The bulk part of a frame: nothing, bytes in memory, or a range of a file sent without copying it through
 * the JVM (sendfile on the native transport). A file range carries its CRC32C, computed by whoever wrote the
 * bytes, so the receiver checks the data end to end without the sender reading it.
 */
public sealed interface RpcPayload {
    long length();

    RpcPayload NONE = new Bytes(Unpooled.EMPTY_BUFFER);

    /** Bytes in memory; the frame takes ownership of {@code buf} (released once sent or failed). */
    record Bytes(ByteBuf buf) implements RpcPayload {
        @Override
        public long length() {
            return buf.readableBytes();
        }
    }

    /**
     * {@code length} bytes of {@code file} from {@code position}, whose CRC32C is {@code crc32c}. The channel
     * stays open: its owner may close it (or reuse the blocks) once {@code released} ran, which happens exactly
     * once, when the send completed or failed.
     */
    record FileRange(FileChannel file, long position, long length, int crc32c, Runnable released)
            implements RpcPayload {}

    /** Releases a payload that will not be sent (its bytes, or its file range's callback). */
    static void release(RpcPayload payload) {
        Frame.release(payload);
    }

    static RpcPayload of(byte[] bytes) {
        return bytes.length == 0 ? NONE : new Bytes(Unpooled.wrappedBuffer(bytes));
    }
}
