package io.seabed.namespace;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One namespace over real meta-kv and storage per test class, with small chunks (see NamespaceFixture). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NamespaceTestBase {
    @TempDir
    static Path dir;

    protected NamespaceFixture f;

    @BeforeAll
    void open() {
        f = new NamespaceFixture(dir, NamespaceFixture.smallChunks());
    }

    @AfterAll
    void close() {
        f.close();
    }

    /** Deterministic random bytes. */
    protected static byte[] bytes(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
