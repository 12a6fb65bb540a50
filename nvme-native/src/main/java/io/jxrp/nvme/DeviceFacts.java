package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What the device says about a file or block device.
 *
 * @param sizeBytes        device size ({@code BLKGETSIZE64}) or file size ({@code st_size})
 * @param logicalBlockSize the smallest O_DIRECT unit: {@code BLKSSZGET} for a block device; for a
 *                         file, statx {@code STATX_DIOALIGN}'s {@code dio_offset_align} when the
 *                         kernel gives it, else the holding device's
 *                         {@code /sys/dev/block/MAJ:MIN/queue/logical_block_size} (the parent's for a
 *                         partition), else {@value #FALLBACK_BLOCK_SIZE} (safe on every device)
 * @param blockDevice      a block device rather than a regular file
 * @param directIo         an {@code O_DIRECT} open works (false e.g. on tmpfs)
 */
public record DeviceFacts(long sizeBytes, int logicalBlockSize, boolean blockDevice, boolean directIo) {
    /** Used when neither statx nor sysfs knows (overlay, btrfs anonymous devices, tmpfs). */
    public static final int FALLBACK_BLOCK_SIZE = 4096;

    /**
     * Probes {@code path}: a regular file or a block device.
     *
     * @throws IOException naming the path and errno ({@code ENOTBLK}: neither a regular file nor a
     *     block device)
     */
    public static DeviceFacts probe(Path path) throws IOException {
        NvmeNative.ensureLibrary();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(DeviceFactsDescriptor.LENGTH, DeviceFactsDescriptor.ALIGNMENT);
            int rc = NativeShim.jxrp_device_probe(path.toString(), record.address());
            if (rc < 0) {
                throw NativeErrors.ioException("probe", path, rc);
            }
            int flags = DeviceFactsDescriptor.flags(record);
            int blockSize = DeviceFactsDescriptor.logicalBlockSize(record);
            if (blockSize == 0) {
                blockSize = SysfsBlock.logicalBlockSize(DeviceFactsDescriptor.devMajor(record),
                        DeviceFactsDescriptor.devMinor(record)).orElse(FALLBACK_BLOCK_SIZE);
            }
            return new DeviceFacts(DeviceFactsDescriptor.sizeBytes(record), blockSize,
                    (flags & DeviceFactsDescriptor.FLAG_BLOCK_DEVICE) != 0,
                    (flags & DeviceFactsDescriptor.FLAG_DIRECT_IO) != 0);
        }
    }
}
