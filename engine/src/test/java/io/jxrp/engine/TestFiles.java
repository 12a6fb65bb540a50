package io.jxrp.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests put files (the module's target dir: /tmp may be tmpfs, which has no O_DIRECT) and seeds. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path dir() {
        Path d = Path.of("target", "test-data").toAbsolutePath();
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    /** The seed for randomized tests: -Djxrp.seed=N to re-run one, else fresh and printed by the test. */
    public static long seed() {
        String s = System.getProperty("jxrp.seed");
        return s != null ? Long.parseLong(s) : System.nanoTime();
    }
}
