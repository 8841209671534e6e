package io.seabed.basestore.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chain.RoutingTable.Member;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The public target state machine, transition by transition. */
class ChainStatesTest {
    private static RoutingTable.Chain chain(Member... members) {
        return new RoutingTable.Chain(1, 7, List.of(members));
    }

    private static Member m(int target, PublicState state) {
        return new Member(target, state);
    }

    private static RoutingTable.Chain next(RoutingTable.Chain chain, Set<Integer> alive, boolean syncDone) {
        return ChainStates.next(chain, alive::contains, syncDone);
    }

    @Test
    void aDeadServingTargetGoesOfflineToTheEndAndTheVersionBumps() {
        RoutingTable.Chain c = chain(m(1, PublicState.SERVING), m(2, PublicState.SERVING), m(3, PublicState.SERVING));
        RoutingTable.Chain n = next(c, Set.of(2, 3), false);
        assertEquals(
                List.of(m(2, PublicState.SERVING), m(3, PublicState.SERVING), m(1, PublicState.OFFLINE)), n.members());
        assertEquals(8, n.chainVersion());
        assertSame(n, next(n, Set.of(2, 3), false), "no change, same chain and version");
    }

    @Test
    void aReturningTargetWaitsThenSyncsAtTheEndThenServes() {
        RoutingTable.Chain c = chain(m(2, PublicState.SERVING), m(3, PublicState.SERVING), m(1, PublicState.OFFLINE));
        RoutingTable.Chain syncing = next(c, Set.of(1, 2, 3), false);
        assertEquals(List.of(2, 3, 1), syncing.writePath());
        assertEquals(PublicState.SYNCING, syncing.member(1).state());
        RoutingTable.Chain serving = next(syncing, Set.of(1, 2, 3), true);
        assertEquals(PublicState.SERVING, serving.member(1).state());
        assertEquals(1, serving.tail());
    }

    /**
     * Found by the chain simulation (bug B, seed 158): when the last serving member died, a SYNCING member stayed
     * SYNCING beside the LASTSRV one and, alone in the write path, headed the chain and took writes on a base it
     * lacked. With no serving member it must wait again, and the write path is empty until LASTSRV returns.
     */
    @Test
    void aSyncingTargetWaitsAgainWhenNoMemberServes() {
        RoutingTable.Chain c = chain(m(1, PublicState.SERVING), m(2, PublicState.SYNCING), m(3, PublicState.OFFLINE));
        RoutingTable.Chain n = next(c, Set.of(2), false);
        assertEquals(
                List.of(m(2, PublicState.WAITING), m(1, PublicState.LASTSRV), m(3, PublicState.OFFLINE)), n.members());
        assertEquals(List.of(), n.writePath());
        RoutingTable.Chain back = next(n, Set.of(1, 2), false);
        assertEquals(PublicState.SERVING, back.member(1).state());
        assertEquals(PublicState.SYNCING, back.member(2).state());
        assertEquals(List.of(1, 2), back.writePath());
    }
}
