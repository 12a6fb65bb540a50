package io.jxrp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A ramfs mounted on a fresh directory: a file system that refuses O_DIRECT (EINVAL), which tmpfs no
 * longer does since Linux 6.6. Root only ({@link Requirements#requireRoot}); close unmounts it, and
 * with it every file it held.
 */
public final class RamfsMount implements AutoCloseable {
    private final Path mountPoint;

    private RamfsMount(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a ramfs on {@code mountPoint} (created if missing); skips, or fails in CI, when not root. */
    public static RamfsMount create(Path mountPoint) throws IOException {
        Requirements.requireRoot("mounting a ramfs, a file system without O_DIRECT");
        Requirements.requireTools("mount", "umount");
        Files.createDirectories(mountPoint);
        Commands.run("mount", "-t", "ramfs", "-o", "mode=0700", "jxrp-test-ramfs", mountPoint.toString());
        RamfsMount mount = new RamfsMount(mountPoint);
        String type = Files.getFileStore(mountPoint).type();
        if (!"ramfs".equals(type)) {
            mount.close();
            throw new IOException(mountPoint + " is " + type + " after mounting a ramfs on it");
        }
        return mount;
    }

    public Path path() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException {
        Commands.run("umount", mountPoint.toString());
        Files.deleteIfExists(mountPoint);
    }
}
