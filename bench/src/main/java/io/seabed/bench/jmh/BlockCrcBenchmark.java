package io.seabed.bench.jmh;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The checksum of one 64 KiB block (base-store's {@code CRC_BLOCK_BYTES}), CRC32C as base-store computes it versus
 * CRC32, from heap and direct memory. Reported as time per block; 64 KiB divided by it is the checksum bandwidth.
 * Run: {@code java -cp 'bench/target/classes:bench/target/lib/*' org.openjdk.jmh.Main BlockCrcBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlockCrcBenchmark {
    private static final int BLOCK_BYTES = 64 * 1024;

    @Param({"heap", "direct"})
    public String memory;

    private final CRC32C crc32c = new CRC32C();
    private final CRC32 crc32 = new CRC32();
    private ByteBuffer block;

    @Setup
    public void setup() {
        byte[] bytes = new byte[BLOCK_BYTES];
        new SplittableRandom(1).nextBytes(bytes);
        block = "direct".equals(memory) ? ByteBuffer.allocateDirect(BLOCK_BYTES) : ByteBuffer.allocate(BLOCK_BYTES);
        block.put(bytes).flip();
    }

    @Benchmark
    public long crc32c() {
        crc32c.reset();
        crc32c.update(block.duplicate());
        return crc32c.getValue();
    }

    @Benchmark
    public long crc32() {
        crc32.reset();
        crc32.update(block.duplicate());
        return crc32.getValue();
    }
}
