package io.seabed.basestore.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's records reached over the RPC, as a {@code seabed manager} process does: CAS on the lease, bad input. */
class RemoteManagerStoreTest {
    @TempDir
    Path dir;

    private static RoutingTable table(long version) {
        RoutingTable placed = RoutingTable.place(
                List.of(new RoutingTable.Node(1, "127.0.0.1", 1), new RoutingTable.Node(2, "127.0.0.1", 2)),
                List.of(List.of(100), List.of(200)),
                2,
                2);
        return new RoutingTable(version, placed.nodes(), placed.targetNodes(), placed.chains());
    }

    @Test
    void leaseAndRoutingWritesAreCasOnTheEpochOverTheRpc() throws Exception {
        try (RaftMetaKv kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")));
                ManagerStoreService service =
                        ManagerStoreService.start(new KvManagerStore(kv), RpcServer.Config.loopback());
                RemoteManagerStore a = new RemoteManagerStore("127.0.0.1", service.port(), 2_000);
                RemoteManagerStore b = new RemoteManagerStore("127.0.0.1", service.port(), 2_000)) {
            assertEquals(ManagerStore.Lease.NONE, a.lease());
            assertNull(a.routing());
            ManagerStore.Lease mine = a.acquire(1, ManagerStore.Lease.NONE);
            assertNotNull(mine);
            assertEquals(1, mine.epoch());
            assertNull(b.acquire(2, ManagerStore.Lease.NONE), "the lease moved on from what b saw");
            assertTrue(a.writeRouting(mine, table(1)));
            assertEquals(1, b.routing().version());
            ManagerStore.Lease renewed = a.renew(mine);
            assertEquals(1, renewed.renewals());
            ManagerStore.Lease theirs = b.acquire(2, b.lease());
            assertEquals(2, theirs.epoch());
            assertNull(a.renew(renewed), "a deposed primary cannot renew");
            assertFalse(a.writeRouting(renewed, table(2)), "a deposed primary cannot write routing");
            assertEquals(1, b.routing().version());
            assertTrue(b.writeRouting(theirs, table(2)));
            assertEquals(2, a.routing().version());
        }
    }

    @Test
    void malformedRequestsAreRefusedAndChangeNothing() throws Exception {
        try (RaftMetaKv kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")));
                ManagerStoreService service =
                        ManagerStoreService.start(new KvManagerStore(kv), RpcServer.Config.loopback());
                RpcClient raw = RpcClient.connect("127.0.0.1", service.port(), RpcClient.Config.defaults());
                RemoteManagerStore store = new RemoteManagerStore("127.0.0.1", service.port(), 2_000)) {
            for (RpcMethod m : List.of(
                    RpcMethod.MANAGER_LEASE_ACQUIRE, RpcMethod.MANAGER_LEASE_RENEW, RpcMethod.MANAGER_ROUTING_STORE)) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        ExecutionException.class,
                        () -> raw.call(m, new byte[] {1, 2, 3}, RpcPayload.of(new byte[] {9}), 2_000)
                                .get(5, TimeUnit.SECONDS),
                        m.name());
                assertEquals(RpcException.Code.INVALID_ARGUMENT, ((RpcException) e.getCause()).code(), m.name());
            }
            ManagerStore.Lease lease = store.acquire(1, ManagerStore.Lease.NONE);
            ExecutionException e =
                    org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> raw.call(
                                    RpcMethod.MANAGER_ROUTING_STORE,
                                    lease.encode(),
                                    RpcPayload.of(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 5}),
                                    2_000)
                            .get(5, TimeUnit.SECONDS));
            assertEquals(RpcException.Code.INVALID_ARGUMENT, ((RpcException) e.getCause()).code());
            assertNull(store.routing(), "nothing stored");
            assertEquals(lease, store.lease());
        }
    }
}
