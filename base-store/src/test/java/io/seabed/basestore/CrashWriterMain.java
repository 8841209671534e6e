package io.seabed.basestore;

import io.seabed.basestore.chunk.ChunkData;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashRecoveryTest}: writes chunks of mixed sizes from several threads
 * until killed, printing one line per acknowledged chunk: {@code ACK <ref hex> <seed> <length> <crc>}.
 * Arguments: writer count, then the target directories.
 */
public final class CrashWriterMain {
    static final BaseStoreConfig CONFIG =
            BaseStoreConfig.DEFAULTS.withEngine(ChunkEngineConfig.DEFAULTS.withBlockFileBytes(256L << 20, 4L << 20));

    private CrashWriterMain() {}

    public static void main(String[] args) throws Exception {
        int writers = Integer.parseInt(args[0]);
        List<Path> dirs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) dirs.add(Path.of(args[i]));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
        LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs, CONFIG);
        out.println("READY");
        out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().name("crash-writer-" + w).start(() -> writeForever(client, writer, out)));
        }
        for (Thread t : threads) t.join();
    }

    private static void writeForever(LocalBaseStoreClient client, int writer, PrintStream out) {
        SplittableRandom random = new SplittableRandom(writer);
        for (long i = 0; ; i++) {
            int length =
                    switch (random.nextInt(10)) {
                        case 0 -> random.nextInt(4 << 20);
                        case 1, 2 -> random.nextInt(300 << 10);
                        default -> random.nextInt(16 << 10);
                    };
            long seed = writer * 1_000_000_000L + i;
            byte[] data = ChunkData.bytes(seed, length);
            ChunkRef ref = client.writeChunk(new ChunkId(writer, i), ByteBuffer.wrap(data));
            ByteBuffer encoded = ByteBuffer.allocate(ref.encodedBytes());
            ref.encode(encoded);
            String line = "ACK " + HexFormat.of().formatHex(encoded.array()) + " " + seed + " " + length + " "
                    + ChunkData.crc(data);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }
}
