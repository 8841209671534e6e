package io.seabed.basestore.rpc;

/**
 * Every data-plane RPC method with its stable numeric id: the one place ids are declared. An id, once
 * released, never changes meaning; a retired method's id is never reused.
 */
public enum RpcMethod {
    /** Liveness and round-trip time: empty request, empty reply. */
    PING(1),
    /** Returns the request's header and payload unchanged (transport tests and the RPC benchmark). */
    ECHO(2),
    /** A chunk update: client to chain head, then replica to successor (chain.ChainMessages.Update). */
    CHUNK_UPDATE(10),
    /** A ranged read of a chunk's committed bytes at one replica (chain.ChainMessages.Read). */
    CHUNK_READ(11),
    /** A page of one target's chunks with versions and digests, for sync and verify (chain.ChainMessages.ListChunks). */
    CHUNK_LIST(12),
    /** Manager to a chain member: fill your SYNCING successor; answered when done (manager.ManagerMessages). */
    SYNC_START(13),
    /** Storage node to manager: liveness and target states; the reply carries newer routing (manager.ManagerMessages). */
    HEARTBEAT(20),
    /** Anyone to a manager: the current routing table. */
    ROUTING_GET(21),
    /** Manager to the meta-kv holder: the lease record (manager.ManagerStoreService). */
    MANAGER_LEASE_GET(22),
    /** Manager to the meta-kv holder: take the lease if it is still the one seen. */
    MANAGER_LEASE_ACQUIRE(23),
    /** Manager to the meta-kv holder: renew the lease held. */
    MANAGER_LEASE_RENEW(24),
    /** Manager to the meta-kv holder: the stored routing table. */
    MANAGER_ROUTING_LOAD(25),
    /** Manager to the meta-kv holder: store a routing table if the lease is still held. */
    MANAGER_ROUTING_STORE(26),
    /** A client of the meta-kv group to a member: the read version of a transaction (meta.MetaKvService). */
    META_READ_VERSION(30),
    /** A client of the meta-kv group to a member: one key's committed value. */
    META_GET(31),
    /** A client of the meta-kv group to a member: several keys' committed values. */
    META_MULTI_GET(32),
    /** A client of the meta-kv group to a member: a page of an ordered range. */
    META_SCAN(33),
    /** A client of the meta-kv group to a member: decide and commit a prepared transaction. */
    META_COMMIT(34),
    /** A client of the meta-kv group to a member: check a read-only transaction's reads. */
    META_VALIDATE(35);

    /** Largest id the lookup table holds; ids are small and dense. */
    static final int ID_MAX = 1023;

    private static final RpcMethod[] BY_ID = new RpcMethod[ID_MAX + 1];

    static {
        for (RpcMethod m : values()) {
            if (m.id <= 0 || m.id > ID_MAX) throw new ExceptionInInitializerError("method id out of range: " + m);
            if (BY_ID[m.id] != null) throw new ExceptionInInitializerError("duplicate method id " + m.id);
            BY_ID[m.id] = m;
        }
    }

    private final int id;

    RpcMethod(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    /** The method with {@code id}, or null when no method has it. */
    public static RpcMethod byId(int id) {
        return id <= 0 || id > ID_MAX ? null : BY_ID[id];
    }
}
