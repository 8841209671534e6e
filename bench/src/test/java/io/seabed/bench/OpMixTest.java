package io.seabed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OpMixTest {
    @Test
    void theDefaultMixMapsEachRollToItsOp() {
        OpMix mix = OpMix.parse(OpMix.MIXED_DEFAULT);
        assertEquals(100, mix.total());
        Map<S3Op, Integer> counts = new EnumMap<>(S3Op.class);
        for (int roll = 0; roll < mix.total(); roll++) counts.merge(mix.choose(roll), 1, Integer::sum);
        assertEquals(Map.of(S3Op.GET, 70, S3Op.PUT, 20, S3Op.HEAD, 5, S3Op.LIST, 5), counts);
        assertEquals(S3Op.PUT, mix.choose(0)); // put comes first in S3Op order
        assertEquals(S3Op.LIST, mix.choose(99));
        assertEquals("put=20,get=70,head=5,list=5", mix.toString());
    }

    @Test
    void randomChoicesFollowTheWeights() {
        // Goal: the sampler draws each op at its share. Method: 100k seeded draws, each share within 1% absolute.
        OpMix mix = OpMix.parse("get=70,put=20,head=5,list=5");
        SplittableRandom random = new SplittableRandom(7);
        int draws = 100_000;
        int[] counts = new int[S3Op.values().length];
        for (int i = 0; i < draws; i++) counts[mix.choose(random).ordinal()]++;
        for (S3Op op : S3Op.values()) {
            double expected = mix.weight(op) / (double) mix.total();
            assertEquals(expected, counts[op.ordinal()] / (double) draws, 0.01, op.label());
        }
        assertEquals(0, counts[S3Op.DELETE.ordinal()]);
    }

    @Test
    void singleOpAndPrefillNeeds() {
        OpMix put = OpMix.only(S3Op.PUT);
        assertEquals(S3Op.PUT, put.choose(0));
        assertFalse(put.needsPrefill());
        assertTrue(OpMix.only(S3Op.GET).needsPrefill());
        assertTrue(OpMix.only(S3Op.DELETE).needsPrefill());
        assertTrue(OpMix.parse("put=1,head=1").needsPrefill());
        assertFalse(OpMix.parse("put=3,get=0").needsPrefill());
    }

    @Test
    void rejectsBadMixesAndRolls() {
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse("get=0,put=0"));
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse("get=70,get=30"));
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse("copy=1"));
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse("get"));
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse("get=-1,put=1"));
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse("get=x"));
        assertThrows(IllegalArgumentException.class, () -> OpMix.parse(""));
        OpMix mix = OpMix.parse("get=3,put=1");
        assertThrows(IllegalArgumentException.class, () -> mix.choose(-1));
        assertThrows(IllegalArgumentException.class, () -> mix.choose(4));
    }
}
