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
    /** Members of the group, numbered {@code 0 .. members()-1}. */
    int members();

    /** {@link RaftMetaKv#serveReadVersion} at {@code member}. */
    long readVersion(int member);

    /** {@link RaftMetaKv#serveGet} at {@code member}. */
    byte[] get(int member, byte[] key);

    /** {@link RaftMetaKv#serveMultiGet} at {@code member}. */
    List<byte[]> multiGet(int member, List<byte[]> keys);

    /** {@link RaftMetaKv#serveScan} at {@code member}. */
    List<KeyValue> scan(int member, byte[] from, byte[] to, int limit, boolean reverse);

    /** {@link RaftMetaKv#serveCommit} at {@code member}: its reply bytes. */
    byte[] commit(int member, byte[] txn);

    /** {@link RaftMetaKv#serveValidate} at {@code member}: its reply bytes. */
    byte[] validate(int member, byte[] txn);

    @Override
    void close();
}
