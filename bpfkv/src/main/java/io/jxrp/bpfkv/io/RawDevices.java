package io.jxrp.bpfkv.io;

import io.jxrp.nvme.DeviceFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Databases on raw block devices (an NVMe namespace, a partition): the database starts at offset 0
 * and ends where its layer count says; the rest of the device is not the database's. A device's
 * size implies no layer count, so it is always given ({@code --layers}).
 */
public final class RawDevices {
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private RawDevices() {
    }

    /** True when {@code path} (after symlinks) is a block device. */
    public static boolean isBlockDevice(Path path) {
        try {
            return (((Integer) Files.getAttribute(path, "unix:mode")) & S_IFMT) == S_IFBLK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The device's size in bytes (BLKGETSIZE64). */
    public static long sizeBytes(Path device) throws IOException {
        return DeviceFacts.probe(device).sizeBytes();
    }
}
