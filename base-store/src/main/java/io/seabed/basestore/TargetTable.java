package io.seabed.basestore;

import java.util.Arrays;

/**
 * The client's targets, fixed at open, looked up by id without boxing (sorted ids, binary search).
 */
final class TargetTable {
    private final Target[] byPosition;
    private final int[] sortedIds;
    private final Target[] bySortedId;

    TargetTable(Target[] targets) {
        this.byPosition = targets.clone();
        this.bySortedId = targets.clone();
        Arrays.sort(bySortedId, (a, b) -> Integer.compare(a.id, b.id));
        this.sortedIds = new int[targets.length];
        for (int i = 0; i < targets.length; i++) sortedIds[i] = bySortedId[i].id;
    }

    Target[] all() {
        return byPosition.clone();
    }

    /** The target with this id, or null if this client does not know it. */
    Target byId(int id) {
        int i = Arrays.binarySearch(sortedIds, id);
        return i < 0 ? null : bySortedId[i];
    }

    /** The replicas in ref order, serving ones first; unknown ids are kept as null (they fail as missing). */
    Target[] readOrder(int[] replicaIds) {
        Target[] order = new Target[replicaIds.length];
        int n = 0;
        for (int id : replicaIds) {
            Target t = byId(id);
            if (t != null && t.serving()) order[n++] = t;
        }
        for (int id : replicaIds) {
            Target t = byId(id);
            if (t == null || !t.serving()) order[n++] = t;
        }
        return order;
    }
}
