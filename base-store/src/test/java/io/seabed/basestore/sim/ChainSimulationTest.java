package io.seabed.basestore.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.RoutingTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Deterministic simulation of CRAQ chains and the cluster manager's chain state machine ({@link SimCluster}: a
 * model of StorageNode's rules, the manager's decisions by the real ChainStates): many seeds, each a run with
 * crashes, restarts, pauses, drops and reordering, checked for linearizability per chunk, no lost acknowledged
 * write, identical replicas after healing and the chain invariants.
 *
 * <p>The simulation found six bugs in the rules it follows, A to F: each has a disabled test below replaying the
 * seed that found it, to enable once the bug is fixed. So that the many-seed tests keep guarding everything else,
 * a run stops when the model is about to do what one of them does ({@link SimCluster.KnownBug}, the triggers are
 * in SimNode and SimSync; the history up to there is still checked) and is counted; remove a trigger with its fix.
 *
 * <p>{@code -Dseabed.seed=N} replays only seed N, traced ({@code -Dseabed.traceFile=PATH} writes its whole
 * trace); {@code -Dseabed.seeds=K} runs K seeds (default {@value #SEEDS_DEFAULT}) from {@code -Dseabed.seedStart}
 * (default 1) and {@code -Dseabed.dropRate} replaces the 1% drops, for soak runs. A failed seed is run again traced
 * and reported with its violations, the replay command and its last events.
 */
class ChainSimulationTest {
    static final int SEEDS_DEFAULT = 2_000;
    private static final int TRACE_TAIL = 50;
    private static final int FAILURES_REPORTED_MAX = 3;
    private static final Pattern CHUNK = Pattern.compile("chunk (\\d+)");

    /**
     * Random runs, each writer on its own chunks: a retry then always meets its own tag at the head, so bug A
     * ({@link #retriedUpdateIsAppliedTwice}) cannot strike and most runs reach the end (about 9% stop at B to F).
     */
    @Test
    void manySeeds() {
        runSeeds(false);
    }

    /**
     * As {@link #manySeeds} with every writer on every chunk (one writer's update finishes another's pending
     * version at the head); most runs stop at bug A, about halfway.
     */
    @Test
    void manySeedsSharedChunks() {
        runSeeds(true);
    }

    /**
     * Bug A, found at seed 2 (shared chunks, 3 s of faults). Dedup at the head compares a retry's tag only with the chunk's
     * latest committed and pending tags. w1's REPLACE of chunk 4 (value 1000000002) was staged at v2 on the head
     * n5 (chain 3 v4), but its forward failed (the chain changed, then n4 was fenced); w1 kept retrying. At
     * 2347 ms w2's next update found the pending v2 at the head, finished it (v2=1000000002 committed on all
     * replicas, read by r3 at 2423 ms) and applied its own v3, and v4 followed. At 2893 ms w1's retry (same tag)
     * met committed tag 2000000007: neither tag matched, so the head applied it again as v5 and acknowledged v5.
     * The value came back after two newer writes; the history check reports "applied twice".
     */
    @Disabled("bug A: a retried update is applied twice once another update finished or overwrote its version")
    @Test
    void retriedUpdateIsAppliedTwice() {
        assertPasses(found(2, 3_000_000, true));
    }

    /**
     * Bug B, found at seed 158 (shared chunks, 3 s of faults). Chain 3 (n3, n4, n5) lost n5 (crash at 512 ms); n5 restarted and
     * was SYNCING (v3) when n4 paused (1347 ms) and then n3 paused (1584 ms): ChainStates made v5 = [105 SYNCING,
     * 103 LASTSRV, 104 OFFLINE]. The write path is the SYNCING target alone, so n5 is its head: at 2002 ms it took
     * w2's update of chunk 5 and, holding only v1 (it never got v2=1000000005, acknowledged at 1098 ms), committed
     * and acknowledged v2=2000000007. When n3 returned it served and synced its v2=1000000005 over it: one version
     * named two values and an acknowledged write was lost (seeds 52, 96, 119 fail the same way).
     */
    @Disabled("bug B: a SYNCING target left alone in the write path heads it and takes writes on a stale base")
    @Test
    void syncingTargetAloneTakesClientWrites() {
        assertPasses(found(158, 3_000_000, true));
    }

    /**
     * Bug D, found at seed 1829 (one writer per chunk, 6 s of faults). Chain 4 is n4, n5, n1. The tail n1 committed v4=2000000016
     * of chunk 5 (1727 ms; read there at 1837 ms), its ack to n5 was lost, so n4 and n5 hold v4 pending. n5
     * crashed (2114 ms), n1 paused (2380 ms): n4 served alone (committed v3, pending v4). n5 restarted and synced
     * from n4 (3037 ms): syncChunk sends the committed v3 only and syncReplace drops n5's pending v4 as an orphan.
     * From v8 (3650 ms) n5 is the tail with a clean v3, so reads answer v3 (3755 ms) after v4 was read.
     */
    @Disabled("bug D: a sync drops a pending version that a former tail committed (and served); the new tail is stale")
    @Test
    void syncDropsAVersionAFormerTailCommitted() {
        assertPasses(found(1829, 6_000_000, false));
    }

    /**
     * Bug E, found at seed 5950 (one writer per chunk, 6 s of faults). At 3007.050 ms n3, alone in chain 2 v6,
     * took w1's update creating chunk 0 (its disk write in flight). At 3007.289 ms SYNC_START installed v7 (n4
     * SYNCING) and the sync listed n3's chunks: chunk 0 was not there yet, so the sync never took its lock. At
     * 3008.659 ms the update committed as the last replica of v6, unforwarded, and was acknowledged at v1. The
     * sync ended, n4 served as the tail without chunk 0 and answered NO_SUCH_CHUNK (3220 ms): a lost write.
     */
    @Disabled(
            "bug E: an update committed under the previous chain version races a sync's listing; the new member misses it")
    @Test
    void updateRacingASyncListingIsLost() {
        assertPasses(found(5950, 6_000_000, false));
    }

    /**
     * Bug F, found at seed 9884 (shared chunks, 6 s of faults). Chain 5 is n5, n1, n2. n5 (head) staged v1 =
     * 2000000004 of chunk 3, then n5 and n1 paused; n2 went on alone, n5 came back SYNCING. n2 held chunk 3 only
     * pending (v1=1000000005, another write), so syncChunk skipped it (committed 0, pending > 0) and n5 kept its
     * orphan pending v1. As the tail (v6), a read at n5 finished that orphan: v1=2000000004 committed on n5 and n1
     * (1158 ms, read by clients); n2 then finished its own v1=1000000005 (1350 ms): one version, two values.
     */
    @Disabled(
            "bug F: a sync skips a chunk held only pending, leaving the syncing target's orphan pending to be committed")
    @Test
    void syncLeavesAnOrphanPendingThatATailReadCommits() {
        assertPasses(found(9884, 6_000_000, true));
    }

    /**
     * Bug C, found at seed 322 (one writer per chunk, 3 s of faults). Chain 2 is n2, n3, n4. The tail
     * n4 committed v4=3000000007 of chunk 5 and r4 read it (1367 ms); its ack was lost, so n2 and n3 hold v4
     * pending. n4 paused (1448 ms) and went OFFLINE (v2: n3 is the tail), came back SYNCING (v3). A read at n3
     * (the tail, pending v4) finished the pending version by sending it to n4, whose answer was dropped; after the
     * 400 ms forward timeout dirty() read again and answered the committed v3 (2484 ms): a stale read.
     */
    @Disabled("bug C: the tail answers its older committed version when finishing its pending version fails")
    @Test
    void tailAnswersCommittedWhenFinishingPendingFails() {
        assertPasses(found(322, 3_000_000, false));
    }

    /** Goal: a seed replays exactly (the replay hint holds), traced or not. Method: run one seed three times. */
    @Test
    void aSeedReplaysExactly() {
        SimCluster.Config config = SimCluster.Config.random(12345, false, true, false);
        SimCluster.Result first = SimCluster.run(config);
        SimCluster.Result again = SimCluster.run(config);
        SimCluster.Result traced = SimCluster.run(config.traced());
        for (SimCluster.Result r : List.of(again, traced)) {
            assertEquals(first.summary(), r.summary());
            assertEquals(first.events(), r.events());
            assertEquals(first.violations(), r.violations());
        }
        assertTrue(traced.trace().size() > 1_000, "traced: " + traced.trace().size() + " lines");
    }

    /**
     * Goal: a tail paused (as by SIGSTOP) past the offline period must not answer the reads queued to it, or sent
     * to it by clients with old routing right after it resumes, with what it held when it stopped, while the
     * chain moved on and took writes without it. Method: pause chain 1's tail at 1 s for 700 ms (offline after
     * 300 ms; the chain takes writes again at about 1.5 s; clients give up on a try after 500 ms) under load on
     * chains 1 and 2, resume it, heal, check the history. The resumed tail must have refused requests (fenced).
     * Seed 55 is sharp: with the fence disabled in SimNode this run returns a stale read (chunk 1 at v4 after
     * the write of v6 was acknowledged).
     */
    @Test
    void pausedTailPastOfflineNeverServesStaleReads() {
        RoutingTable placed = SimCluster.placement();
        int tail = placed.targetNodes().get(placed.chain(1).tail());
        SimFaults faults = new SimFaults(List.of(new SimFaults.Fault(1_000_000, tail, SimFaults.Kind.PAUSE, 700_000)));
        SimCluster.Result r =
                assertPasses(new SimCluster.Config(55, false, 3_000_000, 0.01, faults, new int[] {1, 2}, false, false));
        assertTrue(r.stats().chainChanges >= 2, "the tail went offline and came back: " + r.summary());
        assertTrue(r.stats().fencedRefusals[tail] > 0, "the resumed tail refused requests: " + r.summary());
    }

    /** The random run of {@code seed} with {@code faultPhaseMicros} of faults, run to its end (no stop at bugs). */
    private static SimCluster.Config found(long seed, long faultPhaseMicros, boolean sharedChunks) {
        return new SimCluster.Config(seed, false, faultPhaseMicros, 0.01, null, null, sharedChunks, false);
    }

    private static SimCluster.Result assertPasses(SimCluster.Config config) {
        SimCluster.Result r = SimCluster.run(config);
        System.out.println(r.summary());
        if (!r.passed() || r.knownBug() != null) throw new AssertionError(report(SimCluster.run(config.traced())));
        return r;
    }

    private static void runSeeds(boolean sharedChunks) {
        Long only = Long.getLong("seabed.seed");
        long first = only != null ? only : Long.getLong("seabed.seedStart", 1);
        int count = only != null ? 1 : Integer.getInteger("seabed.seeds", SEEDS_DEFAULT);
        List<String> failures = new ArrayList<>();
        int failed = 0;
        List<String> stopped = new ArrayList<>();
        long events = 0;
        long simMicros = 0;
        long wallStart = System.nanoTime();
        for (long seed = first; seed < first + count; seed++) {
            SimCluster.Config config = SimCluster.Config.random(seed, only != null, sharedChunks, true);
            SimCluster.Result r = SimCluster.run(config);
            events += r.events();
            simMicros += r.simMicros();
            if (only != null) {
                System.out.println(r.summary());
                if (r.knownBug() != null) System.out.println("stopped at known bug " + r.knownBug());
                writeTrace(r);
            }
            if (r.knownBug() != null)
                stopped.add(seed
                        + r.knownBug()
                                .substring(
                                        r.knownBug().indexOf(": bug ") + 5,
                                        r.knownBug().indexOf(": bug ") + 7));
            if (r.passed()) continue;
            failed++;
            System.out.println("seed " + seed + " failed: " + r.violations().getFirst());
            if (failures.size() < FAILURES_REPORTED_MAX)
                failures.add(report(only != null ? r : SimCluster.run(config.traced())));
        }
        System.out.printf(
                "ChainSimulationTest: %d seeds from %d%s, %d failed, %d stopped at a known bug %s; %.0f s"
                        + " simulated, %d events, %.1f s%n",
                count,
                first,
                sharedChunks ? " (shared chunks)" : "",
                failed,
                stopped.size(),
                stopped,
                simMicros / 1e6,
                events,
                (System.nanoTime() - wallStart) / 1e9);
        failures.forEach(System.out::println);
        assertTrue(failures.isEmpty(), failed + " of " + count + " seeds failed:\n\n" + String.join("\n\n", failures));
    }

    /** With {@code -Dseabed.traceFile=PATH}, a replayed seed's whole trace goes to PATH. */
    private static void writeTrace(SimCluster.Result r) {
        String path = System.getProperty("seabed.traceFile");
        if (path == null) return;
        try {
            Files.write(Path.of(path), r.trace());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String report(SimCluster.Result r) {
        StringBuilder b = new StringBuilder();
        b.append("seed ").append(r.seed()).append(" FAILED:\n");
        if (r.knownBug() != null)
            b.append("  stopped at known bug ").append(r.knownBug()).append('\n');
        for (String v : r.violations()) b.append("  ").append(v).append('\n');
        b.append(r.summary()).append('\n');
        b.append("replay: ./mvnw -B -o -pl base-store test -Dtest='ChainSimulationTest#manySeeds' -Dseabed.seed=")
                .append(r.seed())
                .append('\n');
        List<String> trace = r.trace();
        b.append("last ").append(Math.min(TRACE_TAIL, trace.size())).append(" events:\n");
        for (String line : trace.subList(Math.max(0, trace.size() - TRACE_TAIL), trace.size()))
            b.append("  ").append(line).append('\n');
        Matcher m =
                r.violations().isEmpty() ? null : CHUNK.matcher(r.violations().getFirst());
        if (m != null && m.find()) {
            Pattern chunk = Pattern.compile("chunk " + m.group(1) + "\\b");
            List<String> mine =
                    trace.stream().filter(l -> chunk.matcher(l).find()).toList();
            b.append("last ")
                    .append(Math.min(TRACE_TAIL, mine.size()))
                    .append(" events of chunk ")
                    .append(m.group(1))
                    .append(":\n");
            for (String line : mine.subList(Math.max(0, mine.size() - TRACE_TAIL), mine.size()))
                b.append("  ").append(line).append('\n');
        }
        return b.toString();
    }
}
