package io.seabed.metakv;

import java.util.List;

/**
 * Calls to the members of a meta-kv group from another process: what {@link RemoteMetaKv} needs. The
 * member side of each call is the {@code serve*} method of the same name on {@link RaftMetaKv}; an RPC
 * service carries them (base-store's {@code MetaKvService}/{@code RpcMetaKvLink}). {@code txn} arguments and
 * the commit and validate replies are opaque bytes produced and read by meta-kv itself.
 *
 * <p>Thread safety: every method from any thread. Errors: {@link MetaKvException} with the member's reason
 * (NOT_LEADER when the member does not lead: nothing was done there); UNAVAILABLE when the member cannot be
 * reached or did not answer a read; for {@link #commit} a lost or late reply is TIMEOUT, since the commit may
 * have applied.
 */
public interface MetaKvLink extends AutoCloseable {
    /**
     * Bytes of keys and values one {@link #scan} answers at most (beyond its first entry): a remote scan goes on
     * in pages; {@link #scanMayGoOn} tells whether a page may have been cut by this bound.
     */
    int SCAN_REPLY_BYTES_MAX = 4 << 20;

    /** Whether a scan page of {@code entries} entries (asked {@code asked}) and {@code bytes} bytes may not be all. */
    static boolean scanMayGoOn(int entries, int asked, long bytes) {
        return entries > 0 && (entries >= asked || bytes > SCAN_REPLY_BYTES_MAX - (KEY_ENTRY_BYTES_MAX));
    }

    /** The largest key plus value. */
    int KEY_ENTRY_BYTES_MAX = MetaKv.KEY_BYTES_MAX + MetaKv.VALUE_BYTES_MAX;

    /** Members of the group, numbered {@code 0 .. members()-1}. */
    int members();

    /** {@link RaftMetaKv#serveReadVersion} at {@code member}. */
    long readVersion(int member);

    /** {@link RaftMetaKv#serveGet} at {@code member}. */
    byte[] get(int member, byte[] key);

    /** {@link RaftMetaKv#serveMultiGet} at {@code member}. */
    List<byte[]> multiGet(int member, List<byte[]> keys);

    /** {@link RaftMetaKv#serveScan} at {@code member}: at most {@link #SCAN_REPLY_BYTES_MAX} bytes of entries. */
    List<KeyValue> scan(int member, byte[] from, byte[] to, int limit, boolean reverse);

    /** {@link RaftMetaKv#serveCommit} at {@code member}: its reply bytes. */
    byte[] commit(int member, byte[] txn);

    /** {@link RaftMetaKv#serveValidate} at {@code member}: its reply bytes. */
    byte[] validate(int member, byte[] txn);

    @Override
    void close();
}
