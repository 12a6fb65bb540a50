package io.jxrp.nvme;

import io.jxrp.testing.Requirements;
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

    /** The io_uring shim loaded and io_uring works: else skip, or fail in CI (see {@link Requirements}). */
    static void assumeUring() {
        Requirements.requireAvailable("io_uring shim", NvmeNative.unavailabilityCause());
    }

    /** The shim's library loaded (io_uring itself may still be refused): else skip, or fail in CI. */
    static void assumeLibrary() {
        Requirements.require(NvmeNative.isLibraryLoaded(),
                () -> "native library not loaded: " + NvmeNative.unavailabilityCause());
    }

    static boolean isRoot() {
        return Requirements.isRoot();
    }

    static void assumeRoot() {
        Requirements.requireRoot("loop devices, mounts, leases on others' files");
    }

    /** The running kernel is at least {@code major.minor} (os.version, e.g. "6.18.44-fc-v595"). */
    static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        if (!m.find()) {
            throw new IllegalStateException("cannot read the kernel version from os.version=" + System.getProperty("os.version"));
        }
        int maj = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        return maj > major || (maj == major && min >= minor);
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
