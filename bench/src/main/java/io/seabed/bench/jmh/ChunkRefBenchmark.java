package io.seabed.bench.jmh;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.ChunkRef;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
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
 * {@link ChunkRef#encode} and {@link ChunkRef#decode}: every chunked object's layout holds one ref per chunk, so
 * each read and write of a large object pays these. Run: {@code java -cp 'bench/target/classes:bench/target/lib/*'
 * org.openjdk.jmh.Main ChunkRefBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChunkRefBenchmark {
    /** Replicas of the chunk: 3 is the default, 6 covers wide placements. */
    @Param({"3", "6"})
    public int replicas;

    private ChunkRef ref;
    private ByteBuffer scratch;
    private ByteBuffer encoded;

    @Setup
    public void setup() {
        int[] targets = new int[replicas];
        for (int i = 0; i < replicas; i++) targets[i] = 100 + i;
        ref = new ChunkRef(new ChunkId(0x0123_4567_89ab_cdefL, 0x7edc_ba98_7654_3210L), 4 << 20, targets);
        scratch = ByteBuffer.allocate(ref.encodedBytes());
        encoded = ByteBuffer.allocate(ref.encodedBytes());
        ref.encode(encoded);
        encoded.flip();
    }

    @Benchmark
    public ByteBuffer encode() {
        scratch.clear();
        ref.encode(scratch);
        return scratch;
    }

    @Benchmark
    public ChunkRef decode() {
        return ChunkRef.decode(encoded.duplicate());
    }
}
