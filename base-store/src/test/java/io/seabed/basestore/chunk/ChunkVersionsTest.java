package io.seabed.basestore.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chunk.ChunkEngine.ChunkListing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** Versioned chunk updates on one engine: pending and committed versions, updates on a base, listing. */
class ChunkVersionsTest {
    private static final ChunkEngineConfig SMALL_FILES =
            ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20);
    private static final ChunkId ID = new ChunkId(3, 4);
    private static final UpdateTag TAG = new UpdateTag(11, 2, 5);

    @TempDir
    Path dir;

    private ChunkEngine open() {
        return ChunkEngine.open(dir, 1, SMALL_FILES, TargetIo.FILE_CHANNEL);
    }

    private static byte[] read(ChunkEngine engine, ChunkId id) {
        ByteBuffer out = ByteBuffer.allocate(engine.info(id).lengthBytes());
        engine.read(id, 0, out);
        return out.array();
    }

    private static void update(ChunkEngine engine, long version, ChunkUpdate update, boolean commit) {
        Futures.await(engine.updateAsync(ID, 0, version, TAG, update, commit), "update");
    }

    @Test
    void pendingVersionIsInvisibleUntilCommittedAndSurvivesReopen() {
        byte[] v1 = ChunkData.bytes(1, 100_000);
        byte[] v2 = ChunkData.bytes(2, 70_000);
        try (ChunkEngine engine = open()) {
            update(engine, 1, new ChunkUpdate.Replace(ByteBuffer.wrap(v1)), true);
            update(engine, 2, new ChunkUpdate.Replace(ByteBuffer.wrap(v2)), false);
            ChunkInfo info = engine.info(ID);
            assertEquals(1, info.committedVersion());
            assertEquals(2, info.pendingVersion());
            assertEquals(TAG, info.pendingTag());
            assertArrayEquals(v1, read(engine, ID));
            ChunkBlocks blocks = engine.readBlocks(ID, 0, 1, ByteBuffer.allocate(64 << 10), true);
            assertTrue(blocks.dirty());
            assertEquals(1, blocks.chunkVersion());
        }
        try (ChunkEngine engine = open()) {
            assertEquals(2, engine.info(ID).pendingVersion(), "pending survives a restart");
            assertArrayEquals(v1, read(engine, ID));
            Futures.await(engine.commitAsync(ID, 2), "commit");
            ChunkInfo info = engine.info(ID);
            assertEquals(2, info.committedVersion());
            assertEquals(0, info.pendingVersion());
            assertEquals(70_000, info.lengthBytes());
            assertArrayEquals(v2, read(engine, ID));
            assertFalse(engine.readBlocks(ID, 0, 1, ByteBuffer.allocate(64 << 10), true)
                    .dirty());
            // Committing again (a retried commit) changes nothing; an unknown version is refused.
            Futures.await(engine.commitAsync(ID, 2), "commit again");
            StorageException e =
                    assertThrows(StorageException.class, () -> Futures.await(engine.commitAsync(ID, 3), "commit 3"));
            assertEquals(Reason.VERSION_MISMATCH, e.reason());
        }
        try (ChunkEngine engine = open()) {
            assertArrayEquals(v2, read(engine, ID));
            assertEquals(1, engine.blocksUsed(), "the replaced and the staged blocks were freed");
        }
    }

    @Test
    void writeAtAndTruncateApplyToTheCommittedBase() {
        byte[] expected = ChunkData.bytes(5, 200_000);
        try (ChunkEngine engine = open()) {
            update(engine, 1, new ChunkUpdate.Replace(ByteBuffer.wrap(expected.clone())), true);
            byte[] patch = ChunkData.bytes(6, 70_000);
            update(engine, 2, new ChunkUpdate.WriteAt(65_000, ByteBuffer.wrap(patch)), true);
            System.arraycopy(patch, 0, expected, 65_000, patch.length);
            assertArrayEquals(expected, read(engine, ID));
            // Writing beyond the end leaves a hole of zeros.
            byte[] tail = ChunkData.bytes(7, 10);
            update(engine, 3, new ChunkUpdate.WriteAt(300_000, ByteBuffer.wrap(tail)), false);
            Futures.await(engine.commitAsync(ID, 3), "commit");
            byte[] grown = Arrays.copyOf(expected, 300_010);
            System.arraycopy(tail, 0, grown, 300_000, 10);
            assertArrayEquals(grown, read(engine, ID));
            update(engine, 4, new ChunkUpdate.Truncate(1_000), true);
            assertArrayEquals(Arrays.copyOf(grown, 1_000), read(engine, ID));
            update(engine, 5, new ChunkUpdate.Truncate(5_000), true);
            assertArrayEquals(
                    Arrays.copyOf(Arrays.copyOf(grown, 1_000), 5_000),
                    read(engine, ID),
                    "extending truncate adds zeros");
            // An update whose base is not the committed version is refused and changes nothing.
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> update(engine, 7, new ChunkUpdate.WriteAt(0, ByteBuffer.wrap(new byte[] {1})), true));
            assertEquals(Reason.VERSION_MISMATCH, e.reason());
            assertEquals(5, engine.info(ID).committedVersion());
            assertArrayEquals(Arrays.copyOf(Arrays.copyOf(grown, 1_000), 5_000), read(engine, ID));
        }
    }

    @Test
    void listingPagesOverCommittedAndPendingChunksAndDigestsFollowTheBytes() {
        try (ChunkEngine engine = open()) {
            List<ChunkId> ids = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                ChunkId id = new ChunkId(i % 3 == 0 ? -1L : 1L, i);
                ids.add(id);
                boolean commit = i % 4 != 0;
                Futures.await(
                        engine.updateAsync(id, 0, 1, TAG, new ChunkUpdate.Replace(ChunkData.buffer(i, 1000)), commit),
                        "write");
            }
            ids.sort(ChunkEngine::compareIds);
            List<ChunkId> seen = new ArrayList<>();
            ChunkId after = null;
            while (true) {
                List<ChunkListing> page = engine.list(after, 4);
                if (page.isEmpty()) break;
                for (ChunkListing l : page) {
                    seen.add(l.id());
                    long i = l.id().low();
                    assertEquals(i % 4 != 0 ? 1 : 0, l.info().committedVersion(), "chunk " + i);
                    assertEquals(i % 4 == 0 ? 1 : 0, l.info().pendingVersion(), "chunk " + i);
                }
                after = page.getLast().id();
            }
            assertEquals(ids, seen);
            ChunkId a = new ChunkId(9, 1);
            ChunkId b = new ChunkId(9, 2);
            engine.write(a, ChunkData.buffer(42, 5000));
            engine.write(b, ChunkData.buffer(42, 5000));
            assertEquals(engine.info(a).digest(), engine.info(b).digest());
            engine.write(b, ChunkData.buffer(43, 5000));
            assertNotEquals(engine.info(a).digest(), engine.info(b).digest());
        }
    }

    /** Tags of two clients, on two channels, so the encoding meets repeated and changing clients. */
    private static UpdateTag tagOf(long version) {
        return new UpdateTag(version % 3 == 0 ? -7 : 21, (int) (version % 2), version * 1000);
    }

    @Test
    void recentTagsSurviveReopenAndKeepTheLatestRecentTagsMax() {
        int max = RecentTags.RECENT_TAGS_MAX;
        long tagged = max + 4;
        try (ChunkEngine engine = open()) {
            for (long v = 1; v <= tagged; v++) {
                boolean staged = v % 2 == 0;
                Futures.await(
                        engine.updateAsync(ID, 0, v, tagOf(v), new ChunkUpdate.Truncate((int) v), !staged), "update");
                if (staged) Futures.await(engine.commitAsync(ID, v), "commit");
            }
            // A version without a tag (sync, tests) leaves the list as it was.
            Futures.await(
                    engine.updateAsync(ID, 0, tagged + 1, UpdateTag.NONE, new ChunkUpdate.Truncate(1), true),
                    "untagged");
            Futures.await(
                    engine.updateAsync(ID, 0, tagged + 2, tagOf(tagged + 2), new ChunkUpdate.Truncate(2), false),
                    "stage");
        }
        try (ChunkEngine engine = open()) {
            ChunkInfo info = engine.info(ID);
            assertEquals(max, info.recentTags().size(), info.recentTags().toString());
            for (long v = 1; v <= tagged; v++)
                assertEquals(v <= tagged - max ? 0 : v, info.versionOf(tagOf(v)), "version " + v);
            assertEquals(tagged + 2, info.versionOf(tagOf(tagged + 2)), "the pending version's tag");
            assertEquals(0, info.versionOf(UpdateTag.NONE));
            assertEquals(0, info.versionOf(new UpdateTag(21, 0, 5_000)), "another channel");
            Futures.await(engine.commitAsync(ID, tagged + 2), "commit");
        }
        try (ChunkEngine engine = open()) {
            ChunkInfo info = engine.info(ID);
            assertEquals(max, info.recentTags().size());
            assertEquals(tagged + 2, info.recentTags().newestVersion());
            assertEquals(tagged + 2, info.versionOf(tagOf(tagged + 2)));
            assertEquals(0, info.versionOf(tagOf(tagged - max + 1)), "the oldest went");
            assertEquals(tagged - max + 2, info.versionOf(tagOf(tagged - max + 2)));
        }
    }

    @Test
    void aSyncBringsTheSendersRecentTagsAndADeleteDropsThem() {
        RecentTags sender = RecentTags.EMPTY.with(tagOf(3), 3).with(tagOf(4), 4);
        try (ChunkEngine engine = open()) {
            update(engine, 1, new ChunkUpdate.Replace(ByteBuffer.wrap(new byte[] {1})), true);
            Futures.await(engine.syncAsync(ID, 0, 5, tagOf(5), sender, ByteBuffer.wrap(new byte[] {5})), "sync");
            ChunkInfo info = engine.info(ID);
            assertEquals(sender.with(tagOf(5), 5), info.recentTags());
            assertEquals(0, info.versionOf(TAG), "the list is the sender's, not grown from here");
            assertEquals(4, info.versionOf(tagOf(4)));
            engine.delete(ID);
            update(engine, 1, new ChunkUpdate.Replace(ByteBuffer.wrap(new byte[] {1})), true);
            assertEquals(RecentTags.EMPTY.with(TAG, 1), engine.info(ID).recentTags());
        }
    }

    @Test
    void formatTwoAndOneRowsReadAsHavingOnlyTheirOwnTag() throws Exception {
        UpdateTag second = new UpdateTag(12, 0, 6);
        try (ChunkEngine engine = open()) {
            update(engine, 1, new ChunkUpdate.Replace(ChunkData.buffer(1, 70_000)), true);
            Futures.await(engine.updateAsync(ID, 0, 2, second, new ChunkUpdate.Truncate(65_000), true), "second");
            assertEquals(2, engine.info(ID).recentTags().size());
        }
        // Rewrite the committed row as an older build stored it.
        try (MetaStore meta = MetaStore.open(dir.resolve("meta"));
                WriteBatch batch = new WriteBatch()) {
            ChunkMeta m = meta.get(ID);
            assertEquals(3, m.encode()[0], "rows are written in format 3");
            batch.put(ChunkMeta.key(ID), encodeFormat2(m));
            meta.commit(batch);
            ChunkMeta one = ChunkMeta.decode(encodeFormat1(m));
            assertEquals(1, one.chunkVersion());
            assertTrue(one.recentTags().isEmpty());
        }
        try (ChunkEngine engine = open()) {
            ChunkInfo info = engine.info(ID);
            assertEquals(RecentTags.EMPTY.with(second, 2), info.recentTags());
            assertEquals(2, info.versionOf(second));
            assertEquals(0, info.versionOf(TAG), "older tags were never stored");
            assertArrayEquals(Arrays.copyOf(ChunkData.bytes(1, 70_000), 65_000), read(engine, ID));
            update(engine, 3, new ChunkUpdate.Truncate(10), true);
            assertEquals(
                    RecentTags.EMPTY.with(second, 2).with(TAG, 3),
                    engine.info(ID).recentTags());
        }
    }

    private static ByteBuffer encodeOld(ChunkMeta m, int headerBytes) {
        ByteBuffer out = ByteBuffer.allocate(headerBytes + 4 * m.crcs().length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) (headerBytes > 22 ? 2 : 1))
                .put((byte) m.classIndex())
                .putInt(m.fileNo())
                .putInt(m.blockIndex())
                .putInt(m.lengthBytes())
                .putLong(m.version());
        return out;
    }

    private static byte[] encodeFormat2(ChunkMeta m) {
        ByteBuffer out = encodeOld(m, 22 + 8 + 4 + 20);
        out.putLong(m.chunkVersion()).putInt(m.chainId());
        out.putLong(m.tag().clientId())
                .putInt(m.tag().channel())
                .putLong(m.tag().seq());
        for (int crc : m.crcs()) out.putInt(crc);
        return out.array();
    }

    private static byte[] encodeFormat1(ChunkMeta m) {
        ByteBuffer out = encodeOld(m, 22);
        for (int crc : m.crcs()) out.putInt(crc);
        return out.array();
    }

    @Test
    void recentTagsRoundTripCompactlyAndRefuseMalformedBytes() {
        RecentTags odd = RecentTags.EMPTY
                .with(new UpdateTag(Long.MIN_VALUE, -1, -1), 1)
                .with(new UpdateTag(-1, Integer.MAX_VALUE, Long.MAX_VALUE), 2)
                .with(new UpdateTag(-1, 0, 1), 1L << 40)
                .with(new UpdateTag(5, Integer.MIN_VALUE, 0), Long.MAX_VALUE);
        assertEquals(odd, roundTrip(odd, ByteOrder.LITTLE_ENDIAN));
        assertEquals(odd, roundTrip(odd, ByteOrder.BIG_ENDIAN));
        RecentTags oneClient = RecentTags.EMPTY;
        for (long v = 1; v <= 40; v++) oneClient = oneClient.with(new UpdateTag(77, 0, v + 100), v);
        // About 5 bytes an entry when one client writes: flag, channel, a 2-byte sequence, the version step.
        assertEquals(RecentTags.RECENT_TAGS_MAX, oneClient.size());
        assertEquals(25, oneClient.version(0));
        ByteBuffer out = ByteBuffer.allocate(oneClient.encodedBytesMax());
        oneClient.encode(out);
        assertTrue(out.position() <= 1 + 8 + 5 * RecentTags.RECENT_TAGS_MAX, "bytes=" + out.position());
        assertEquals(oneClient, roundTrip(oneClient, ByteOrder.BIG_ENDIAN));
        // A version replaced at or below the newest drops the entries of the versions it replaces.
        assertEquals(
                RecentTags.EMPTY.with(TAG, 1).with(TAG, 2),
                oneClient.with(TAG, 1).with(TAG, 2));
        assertEquals(39, oneClient.with(UpdateTag.NONE, 40).newestVersion());
        // Malformed: too many entries, truncated, versions not increasing.
        assertThrows(IllegalArgumentException.class, () -> RecentTags.decode(ByteBuffer.wrap(new byte[] {17})));
        byte[] encoded = Arrays.copyOf(out.array(), out.position());
        assertThrows(
                IllegalArgumentException.class,
                () -> RecentTags.decode(ByteBuffer.wrap(Arrays.copyOf(encoded, encoded.length - 1))));
        byte[] zeroStep = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> RecentTags.decode(ByteBuffer.wrap(zeroStep)));
    }

    private static RecentTags roundTrip(RecentTags tags, ByteOrder order) {
        ByteBuffer out = ByteBuffer.allocate(tags.encodedBytesMax()).order(order);
        tags.encode(out);
        ByteBuffer in = out.flip();
        RecentTags decoded = RecentTags.decode(in);
        assertFalse(in.hasRemaining());
        return decoded;
    }
}
