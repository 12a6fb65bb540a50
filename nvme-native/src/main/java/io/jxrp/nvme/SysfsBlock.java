package io.jxrp.nvme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads {@code /sys/dev/block/MAJ:MIN}: the block device behind a device number. */
final class SysfsBlock {
    private static final Path SYS_DEV_BLOCK = Path.of("/sys/dev/block");

    private SysfsBlock() {}

    /** {@code /sys/dev/block/MAJ:MIN} resolved, or empty when no block device has that number. */
    static Optional<Path> deviceDir(int major, int minor) throws IOException {
        Path link = SYS_DEV_BLOCK.resolve(major + ":" + minor);
        try {
            return Optional.of(link.toRealPath());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * queue/logical_block_size of the device; a partition has no queue/ of its own, its parent
     * (the directory above it in sysfs) does.
     */
    static Optional<Integer> logicalBlockSize(int major, int minor) throws IOException {
        Optional<Path> dir = deviceDir(major, minor);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        Path device = dir.get();
        if (Files.exists(device.resolve("partition"))) {
            device = device.getParent();
        }
        Path file = device.resolve("queue/logical_block_size");
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(Files.readString(file).trim()));
    }

    /** DEVNAME from the device's uevent ({@code vda1}, {@code loop3}), or empty. */
    static Optional<String> devName(int major, int minor) throws IOException {
        Optional<Path> dir = deviceDir(major, minor);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        Path uevent = dir.get().resolve("uevent");
        if (!Files.isReadable(uevent)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(uevent)) {
            if (line.startsWith("DEVNAME=")) {
                return Optional.of(line.substring("DEVNAME=".length()).trim());
            }
        }
        return Optional.empty();
    }
}
