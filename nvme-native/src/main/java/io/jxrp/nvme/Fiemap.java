package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A file's extents ({@code FS_IOC_FIEMAP}) and the block device those extents refer to. */
public final class Fiemap {
    private static final int BATCH = 256;

    private Fiemap() {}

    /**
     * All extents of {@code file}, in logical order, with {@code FIEMAP_FLAG_SYNC} (delayed
     * allocations are flushed first, so fresh writes have real locations). Holes are absent.
     *
     * @throws IOException e.g. {@code EOPNOTSUPP} on a file system without FIEMAP (tmpfs)
     */
    public static List<Extent> extents(Path file) throws IOException {
        NvmeNative.ensureLibrary();
        List<Extent> extents = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate((long) BATCH * ExtentDescriptor.LENGTH, ExtentDescriptor.ALIGNMENT);
            long start = 0;
            boolean sync = true;
            while (true) {
                int count = NativeShim.jxrp_fiemap(file.toString(), start, out.address(), BATCH, sync ? 1 : 0);
                if (count < 0) {
                    throw NativeErrors.ioException("FIEMAP", file, count);
                }
                sync = false;
                if (count == 0) {
                    return extents;
                }
                Extent last = null;
                for (int i = 0; i < count; i++) {
                    last = ExtentDescriptor.read(out, i);
                    extents.add(last);
                }
                if (last.last() || last.logicalEnd() <= start) {
                    return extents;
                }
                start = last.logicalEnd();
            }
        }
    }

    /**
     * The block device (partition) whose offsets FIEMAP reports for {@code file}: the file's
     * {@code st_dev} through {@code /sys/dev/block/MAJ:MIN/uevent} {@code DEVNAME} to
     * {@code /dev/NAME}.
     *
     * @throws IOException when the file system has no block device behind it (tmpfs, overlay,
     *     btrfs' anonymous device numbers) or its node is missing from /dev
     */
    public static Path backingDevice(Path file) throws IOException {
        NvmeNative.ensureLibrary();
        long dev = NativeShim.jxrp_file_device(file.toString());
        if (dev < 0) {
            throw NativeErrors.ioException("stat", file, dev);
        }
        int major = (int) (dev >>> 32);
        int minor = (int) dev;
        Optional<String> name = SysfsBlock.devName(major, minor);
        if (name.isEmpty()) {
            throw new IOException(file + " lives on device " + major + ":" + minor
                    + ", which is not a block device (tmpfs, overlay, btrfs subvolume, network file system?):"
                    + " no extents to read directly");
        }
        Path device = Path.of("/dev", name.get());
        if (!Files.exists(device)) {
            throw new IOException(file + " lives on block device " + major + ":" + minor + " but " + device
                    + " does not exist");
        }
        return device;
    }
}
