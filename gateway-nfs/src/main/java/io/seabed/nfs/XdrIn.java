package io.seabed.nfs;

import io.seabed.namespace.fs.SetAttr;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** Decoding a call's arguments: they are read inside {@link RpcCall#retrieveCall}, which ends the stream after. */
final class XdrIn {
    private XdrIn() {}

    interface Decoder<T> {
        T decode(XdrDecodingStream x) throws IOException;
    }

    private static final class Holder<T> implements XdrAble {
        private final Decoder<T> decoder;
        T value;

        Holder(Decoder<T> decoder) {
            this.decoder = decoder;
        }

        @Override
        public void xdrDecode(XdrDecodingStream x) throws IOException {
            value = decoder.decode(x);
        }

        @Override
        public void xdrEncode(XdrEncodingStream x) {
            throw new UnsupportedOperationException();
        }
    }

    /** Arguments that do not decode (too short, a length past the end): GARBAGE_ARGS. */
    static final class Garbage extends Exception {
        Garbage(String why) {
            super(why, null, false, false);
        }
    }

    /** Arguments that break a rule of their type (a length over its bound, an unknown union arm). */
    static final class Bad extends IOException {
        Bad(String why) {
            super(why, null);
        }
    }

    static <T> T args(RpcCall call, Decoder<T> decoder) throws Garbage {
        Holder<T> h = new Holder<>(decoder);
        try {
            call.retrieveCall(h);
        } catch (IOException | RuntimeException e) {
            throw new Garbage(String.valueOf(e.getMessage()));
        }
        if (h.value == null) throw new Garbage("no arguments");
        return h.value;
    }

    /** nfs_fh3: at most 64 bytes. */
    static byte[] handle(XdrDecodingStream x) throws IOException {
        int n = x.xdrDecodeInt();
        if (n < 0 || n > 64) throw new Bad("file handle of " + n + " bytes");
        return x.xdrDecodeOpaque(n);
    }

    /** A name (filename3) as sent: its bytes, checked later (UTF-8, length). At most 1024 bytes are read. */
    static byte[] name(XdrDecodingStream x) throws IOException {
        int n = x.xdrDecodeInt();
        if (n < 0 || n > 1024) throw new Bad("name of " + n + " bytes");
        return x.xdrDecodeOpaque(n);
    }

    /** A symlink target (nfspath3), at most 4096 bytes. */
    static byte[] path(XdrDecodingStream x) throws IOException {
        int n = x.xdrDecodeInt();
        if (n < 0 || n > 4096) throw new Bad("path of " + n + " bytes");
        return x.xdrDecodeOpaque(n);
    }

    /** Strict UTF-8, or null when the bytes are not. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** sattr3. */
    static SetAttr sattr(XdrDecodingStream x) throws IOException {
        Integer mode = x.xdrDecodeBoolean() ? x.xdrDecodeInt() : null;
        Integer uid = x.xdrDecodeBoolean() ? x.xdrDecodeInt() : null;
        Integer gid = x.xdrDecodeBoolean() ? x.xdrDecodeInt() : null;
        Long size = x.xdrDecodeBoolean() ? x.xdrDecodeLong() : null;
        Long atime = time(x);
        Long mtime = time(x);
        return new SetAttr(mode, uid, gid, size, atime, mtime);
    }

    private static Long time(XdrDecodingStream x) throws IOException {
        int how = x.xdrDecodeInt();
        return switch (how) {
            case 0 -> null;
            case 1 -> SetAttr.SERVER_TIME;
            case 2 -> {
                long seconds = x.xdrDecodeInt() & 0xFFFFFFFFL;
                long nanos = x.xdrDecodeInt() & 0xFFFFFFFFL;
                if (nanos >= 1_000_000_000L) throw new Bad("nseconds " + nanos);
                yield seconds * 1_000_000_000L + nanos;
            }
            default -> throw new Bad("time_how " + how);
        };
    }
}
