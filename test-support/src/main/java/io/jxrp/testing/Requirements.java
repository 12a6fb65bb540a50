package io.jxrp.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What a test needs from the host: root, io_uring, clang's BPF objects, command-line tools. Where it
 * is missing the test skips and says why; in CI ({@code CI=true} in the environment, as {@code .ci/run}
 * sets it) it fails instead, because CI has all of them and a skip there would hide a broken
 * environment, or a build that silently left out the native shim or the eBPF objects.
 */
public final class Requirements {
    /** The environment variable CI systems set; {@code .ci/run} exports {@code CI=true}. */
    public static final String CI_VARIABLE = "CI";

    private Requirements() {
    }

    /** True when {@code CI=true}: a missing requirement fails the test instead of skipping it. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv(CI_VARIABLE));
    }

    /**
     * Returns when {@code present}; otherwise skips the test with {@code missing} as the reason, or
     * in CI fails it with that reason.
     */
    public static void require(boolean present, Supplier<String> missing) {
        if (present) {
            return;
        }
        String reason = missing.get();
        if (inCi()) {
            fail("CI=true, so this fails instead of skipping: " + reason);
        }
        assumeTrue(false, reason);
    }

    /**
     * For a test that runs part of its work where something is missing (the Java paths of a fuzz
     * target without clang's objects): returns {@code present}; a missing one is reported on stderr
     * outside CI, and in CI fails the test.
     */
    public static boolean partlyRequire(boolean present, Supplier<String> missing) {
        if (present) {
            return true;
        }
        String reason = missing.get();
        if (inCi()) {
            fail("CI=true, so this fails instead of running without it: " + reason);
        }
        System.err.println("[requirements] running without it: " + reason);
        return false;
    }

    /** {@link #require} for a capability that reports why it is unavailable (null: available). */
    public static void requireAvailable(String what, Throwable unavailabilityCause) {
        require(unavailabilityCause == null, () -> what + " unavailable: " + unavailabilityCause);
    }

    /** Root, for loop devices, mounts, device-mapper targets and raw block devices. */
    public static void requireRoot(String forWhat) {
        require(isRoot(), () -> "needs root (" + forWhat + "); running as " + System.getProperty("user.name"));
    }

    /** Each tool on the PATH (or in /sbin, /usr/sbin, which a non-login PATH may lack). */
    public static void requireTools(String... tools) {
        for (String tool : tools) {
            require(onPath(tool), () -> "needs " + tool + " on the PATH");
        }
    }

    /** A BPF object the build compiles with clang (absent when clang was missing at build time). */
    public static void requireBpfObject(Path object) {
        require(Files.isRegularFile(object), () -> "BPF object " + object + " not built (clang missing at build time?)");
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
