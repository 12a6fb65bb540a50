package io.jxrp.nvme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The NVMe namespaces scripts/guest-suite hands to the tests tagged {@code nvme} inside its QEMU
 * guest: raw namespaces whose contents the tests destroy ({@value #RAW_ENV}, block devices) and
 * directories on ext4 file systems on other namespaces ({@value #FS_ENV}), space-separated. Without
 * them a tagged test fails: those tests run in the guest suite only (surefire excludes the tag).
 */
public final class NvmeTestNamespaces {
    public static final String RAW_ENV = "JXRP_TEST_NVME_RAW";
    public static final String FS_ENV = "JXRP_TEST_NVME_FS";

    private NvmeTestNamespaces() {}

    /** The raw namespaces ({@code /dev/nvmeXnY}), each with its own controller and block size. */
    public static List<Path> raw() {
        return paths(RAW_ENV);
    }

    /** Directories on ext4 on NVMe namespaces (a whole namespace or a partition). */
    public static List<Path> fileSystems() {
        return paths(FS_ENV);
    }

    private static List<Path> paths(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " names no NVMe namespaces: the tests tagged nvme run inside "
                    + "scripts/guest-suite's QEMU guest, which sets it");
        }
        List<Path> paths = Arrays.stream(value.trim().split("\\s+")).map(Path::of).toList();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(variable + " names " + p + ", which does not exist");
            }
        }
        return paths;
    }
}
