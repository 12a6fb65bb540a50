package io.jxrp.engine.backend;

import io.jxrp.nvme.DeviceFacts;
import io.jxrp.nvme.NvmeNative;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Device facts the engine needs of a path: size and logical block size. From the shim (ioctls, statx)
 * when it loaded; otherwise from sysfs, which is what the shim falls back to as well.
 */
public final class PathDevices {
    private PathDevices() {
    }

    /**
     * Why a backend that reads files and block devices cannot read {@code path}, or null when it can
     * (or the path does not exist: opening it says so). An NVMe generic char device takes NVMe
     * commands only, which the passthru backend sends.
     */
    public static String refusal(Path path) {
        if (!Files.exists(path) || Files.isRegularFile(path)) {
            return null;
        }
        try {
            int type = ((Integer) Files.getAttribute(path, "unix:mode")) & 0170000;
            return switch (type) {
                case 0060000 -> null;
                case 0020000 -> path + " is a character device; an NVMe generic device (/dev/ngXnY) takes NVMe commands "
                        + "only, through the passthru backend";
                default -> path + " is neither a file nor a block device";
            };
        } catch (IOException | UnsupportedOperationException e) {
            return null; // no unix attributes here: the open will tell
        }
    }

    /** Size and logical block size of a file or block device. */
    public static DeviceInfo probe(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return new DeviceInfo(sizeBytes(path), logicalBlockSize(path), path.toString());
    }

    static long sizeBytes(Path path) throws IOException {
        if (NvmeNative.isLibraryLoaded()) {
            return DeviceFacts.probe(path).sizeBytes();
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (attrs.isRegularFile()) {
            return attrs.size();
        }
        return Long.parseLong(Files.readString(sysfs(path, "unix:rdev").resolve("size")).trim()) * 512;
    }

    static int logicalBlockSize(Path path) throws IOException {
        if (NvmeNative.isLibraryLoaded()) {
            return DeviceFacts.probe(path).logicalBlockSize();
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        Path dev;
        try {
            dev = sysfs(path, attrs.isRegularFile() ? "unix:dev" : "unix:rdev");
        } catch (NoSuchFileException e) {
            return 512; // no block device behind it (e.g. overlay, tmpfs): the common sector size
        }
        for (Path p = dev; p != null; p = p.getParent()) {
            Path f = p.resolve("queue/logical_block_size");
            if (Files.isReadable(f)) {
                return Integer.parseInt(Files.readString(f).trim());
            }
            if (!Files.exists(p.resolve("partition"))) {
                break;
            }
        }
        return 512;
    }

    private static Path sysfs(Path path, String attribute) throws IOException {
        long dev = (Long) Files.getAttribute(path, attribute);
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return Path.of("/sys/dev/block/" + major + ":" + minor).toRealPath();
    }
}
