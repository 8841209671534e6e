package io.seabed.basestore.manager;

import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The public target state machine of DESIGN §4 (3FS's), as a pure function from a chain and what the
 * manager knows now to the chain's next form. A serving target that is not alive goes OFFLINE (LASTSRV if
 * it was the chain's last serving one); an offline target that is alive again WAITs; one waiting target at a
 * time, while the chain has a serving member, becomes SYNCING at the write path's end (and a syncing one waits
 * again when no member serves); a syncing target
 * whose sync finished at this chain version becomes SERVING (the tail); a LASTSRV target that returns serves
 * at once. Members are ordered serving, syncing, waiting, lastsrv, offline (each group in its old order).
 * Any change bumps the chain version.
 */
public final class ChainStates {
    private ChainStates() {}

    /**
     * @param alive whether a target's node heartbeats and reports the target healthy
     * @param syncDone whether the sync of this chain at its current version finished
     */
    public static RoutingTable.Chain next(RoutingTable.Chain chain, IntPredicate alive, boolean syncDone) {
        List<RoutingTable.Member> members = chain.members();
        PublicState[] states = new PublicState[members.size()];
        int lastServing = -1;
        boolean anyServing = false;
        for (int i = 0; i < members.size(); i++) {
            RoutingTable.Member m = members.get(i);
            boolean up = alive.test(m.targetId());
            states[i] = switch (m.state()) {
                case SERVING -> up ? PublicState.SERVING : PublicState.OFFLINE;
                case SYNCING -> up ? (syncDone ? PublicState.SERVING : PublicState.SYNCING) : PublicState.OFFLINE;
                case WAITING -> up ? PublicState.WAITING : PublicState.OFFLINE;
                case OFFLINE -> up ? PublicState.WAITING : PublicState.OFFLINE;
                case LASTSRV -> up ? PublicState.SERVING : PublicState.LASTSRV;
            };
            if (m.state() == PublicState.SERVING) lastServing = i;
            anyServing |= states[i] == PublicState.SERVING;
        }
        // The chain lost every serving member: the last of them keeps the newest data.
        if (!anyServing && lastServing >= 0 && states[lastServing] == PublicState.OFFLINE)
            states[lastServing] = PublicState.LASTSRV;
        // A sync needs a serving predecessor: with none left, a syncing target waits again (left SYNCING, it would
        // be the whole write path and take writes on a base it may lack).
        if (!anyServing)
            for (int i = 0; i < states.length; i++)
                if (states[i] == PublicState.SYNCING) states[i] = PublicState.WAITING;
        boolean syncing = false;
        for (PublicState s : states) syncing |= s == PublicState.SYNCING;
        if (!syncing && anyServing)
            for (int i = 0; i < states.length; i++)
                if (states[i] == PublicState.WAITING) {
                    states[i] = PublicState.SYNCING;
                    break;
                }
        List<RoutingTable.Member> next = new ArrayList<>(members.size());
        for (PublicState group : new PublicState[] {
            PublicState.SERVING, PublicState.SYNCING, PublicState.WAITING, PublicState.LASTSRV, PublicState.OFFLINE
        })
            for (int i = 0; i < states.length; i++)
                if (states[i] == group)
                    next.add(new RoutingTable.Member(members.get(i).targetId(), group));
        if (next.equals(members)) return chain;
        return new RoutingTable.Chain(chain.chainId(), chain.chainVersion() + 1, next);
    }
}
