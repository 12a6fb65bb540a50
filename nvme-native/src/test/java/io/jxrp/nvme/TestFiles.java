package io.jxrp.nvme;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers: a scratch directory under target/ (the root ext4 supports O_DIRECT; /tmp may be tmpfs). */
final class TestFiles {
    private TestFiles() {}

    static Path scratchDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("jxrp.test.dir", "target/test-io")).toAbsolutePath();
        Path dir = base.resolve(name + "-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A seed for a randomized test: {@code -Djxrp.test.seed=N} to re-run one, else fresh. Printed
     * with the test's name so a failure can be reproduced.
     */
    static long seed(String testName) {
        long seed = Long.getLong("jxrp.test.seed", System.nanoTime());
        System.out.println(testName + " seed=" + seed + " (re-run with -Djxrp.test.seed=" + seed + ")");
        return seed;
    }

    static void assumeUring() {
        assumeTrue(NvmeNative.isAvailable(), () -> "io_uring shim unavailable: " + NvmeNative.unavailabilityCause());
    }

    static void assumeLibrary() {
        assumeTrue(NvmeNative.isLibraryLoaded(),
                () -> "native library not loaded: " + NvmeNative.unavailabilityCause());
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static void assumeRoot() {
        assumeTrue(isRoot(), "needs root (loop devices, mounts, leases on others' files)");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
