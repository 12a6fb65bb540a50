package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An NVMe namespace as the kernel's NVMe driver shows it, found from any of its names: the block
 * device ({@code /dev/nvme0n1}), a partition on it ({@code /dev/nvme0n1p2}: the partition's place
 * and size), or its generic char device ({@code /dev/ng0n1}), which takes NVMe commands through
 * io_uring ({@link QueuePair#attachNamespace}). Namespace ID and LBA format come from the device
 * (NVME_IOCTL_ID, Identify Namespace); the names and the controller from sysfs.
 *
 * @param device        the path it was found from
 * @param genericDevice the namespace's generic char device ({@code /dev/ngXnY})
 * @param blockName     the namespace's block device name ({@code nvmeXnY})
 * @param controller    the controller's name ({@code nvme0}) and model, for messages and manifests
 * @param nsid          the namespace ID
 * @param lbaBytes      the logical block size of the LBA format in use
 * @param blocks        the namespace's size in logical blocks (NSZE)
 * @param metadataBytes metadata per logical block (passthrough reads only formats without)
 * @param offsetBytes   where {@code device} starts in the namespace (a partition's start, else 0)
 * @param sizeBytes     bytes of the namespace {@code device} covers (a partition's size, else all)
 * @param passthrough   an NVMe read through io_uring worked (only when probed with a read)
 * @param fixedBuffers  ... with a registered buffer ({@code IORING_URING_CMD_FIXED}, Linux 6.1+)
 */
public record NvmeNamespace(Path device, Path genericDevice, String blockName, String controller, int nsid,
                            int lbaBytes, long blocks, int metadataBytes, long offsetBytes, long sizeBytes,
                            boolean passthrough, boolean fixedBuffers) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFREG = 0100000;
    private static final int EACCES = 13;
    private static final int EPERM = 1;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOTTY = 25;
    private static final Pattern BLOCK_NAME = Pattern.compile("nvme(\\d+)n(\\d+)");
    private static final Pattern GENERIC_NAME = Pattern.compile("ng(\\d+)n(\\d+)");

    /**
     * Finds the namespace behind {@code device} and identifies it; with {@code tryRead}, also reads
     * its first logical block through io_uring NVMe passthrough ({@link #passthrough()}).
     *
     * @throws IOException saying why {@code device} is not an NVMe namespace this kernel shows (a
     *     regular file, another kind of disk, no generic device), or what the device refused
     */
    public static NvmeNamespace probe(Path device, boolean tryRead) throws IOException {
        NvmeNative.ensureLibrary();
        Path real = device.toRealPath();
        int mode = (Integer) Files.getAttribute(real, "unix:mode");
        long rdev = (Long) Files.getAttribute(real, "unix:rdev");
        Path generic;
        String blockName;
        Path namespaceDir;
        long offset = 0;
        long partitionSize = -1;
        switch (mode & S_IFMT) {
            case S_IFBLK -> {
                Path dir = sysfs("block", rdev);
                namespaceDir = dir;
                if (Files.exists(dir.resolve("partition"))) {
                    offset = Long.parseLong(Files.readString(dir.resolve("start")).trim()) * 512;
                    partitionSize = Long.parseLong(Files.readString(dir.resolve("size")).trim()) * 512;
                    namespaceDir = dir.getParent();
                }
                blockName = namespaceDir.getFileName().toString();
                Matcher m = BLOCK_NAME.matcher(blockName);
                if (!m.matches()) {
                    throw new IOException(device + " is not an NVMe namespace (it is " + describeDisk(namespaceDir) + ")");
                }
                generic = Path.of("/dev", "ng" + m.group(1) + "n" + m.group(2));
                if (!Files.exists(generic)) {
                    throw new IOException(device + ": namespace " + blockName + " has no generic char device " + generic
                            + " (the kernel makes one per namespace since Linux 5.13)");
                }
                if ((((Integer) Files.getAttribute(generic, "unix:mode")) & S_IFMT) != S_IFCHR) {
                    throw new IOException(generic + " is not a character device");
                }
            }
            case S_IFCHR -> {
                Path dir = sysfs("char", rdev);
                Matcher m = GENERIC_NAME.matcher(dir.getFileName().toString());
                if (!m.matches()) {
                    throw new IOException(device + " is a character device but not an NVMe generic device (it is "
                            + dir.getFileName() + ")");
                }
                generic = real;
                blockName = "nvme" + m.group(1) + "n" + m.group(2);
                namespaceDir = Path.of("/sys/class/block", blockName);
            }
            case S_IFREG -> throw new IOException(device + " is a regular file, not an NVMe namespace");
            default -> throw new IOException(device + " is neither a block device nor an NVMe generic device");
        }

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(NvmeNamespaceDescriptor.LENGTH, NvmeNamespaceDescriptor.ALIGNMENT);
            int rc = NativeShim.jxrp_nvme_namespace_probe(generic.toString(), record.address(), tryRead ? 1 : 0);
            if (rc < 0) {
                throw NativeErrors.ioException(tryRead ? "NVMe Identify and passthrough read on" : "NVMe Identify on",
                        generic, rc, hint(-rc));
            }
            int nsid = NvmeNamespaceDescriptor.nsid(record);
            Path nsidFile = namespaceDir.resolve("nsid");
            if (Files.isReadable(nsidFile) && Integer.parseInt(Files.readString(nsidFile).trim()) != nsid) {
                throw new IOException(generic + " answers for namespace " + nsid + ", but " + blockName + " is namespace "
                        + Files.readString(nsidFile).trim());
            }
            int lba = NvmeNamespaceDescriptor.lbaBytes(record);
            long blocks = NvmeNamespaceDescriptor.blocks(record);
            int flags = NvmeNamespaceDescriptor.flags(record);
            return new NvmeNamespace(device, generic, blockName, controllerOf(namespaceDir), nsid, lba, blocks,
                    NvmeNamespaceDescriptor.metadataBytes(record), offset,
                    partitionSize >= 0 ? partitionSize : blocks * lba,
                    (flags & NvmeNamespaceDescriptor.FLAG_PASSTHRU) != 0, (flags & NvmeNamespaceDescriptor.FLAG_FIXED) != 0);
        }
    }

    /** Why passthrough cannot read this namespace's format, or null when it can. */
    public String formatRefusal() {
        return metadataBytes == 0 ? null
                : blockName + " uses an LBA format with " + metadataBytes + " B of metadata per block: passthrough reads "
                        + "formats without metadata only";
    }

    /** One line: {@code nvme0n1 (nsid 1 of nvme0, QEMU NVMe Ctrl), 512 B blocks, via /dev/ng0n1}. */
    public String describe() {
        return blockName + (offsetBytes != 0 || sizeBytes != blocks * lbaBytes ? " at " + offsetBytes + " B" : "")
                + " (nsid " + nsid + " of " + controller + "), " + lbaBytes + " B blocks, via " + genericDevice;
    }

    private static String hint(int errno) {
        return switch (errno) {
            case EACCES, EPERM -> "NVMe passthrough needs CAP_SYS_ADMIN (Linux before 6.2) or write access to the device";
            case EINVAL, EOPNOTSUPP -> "this kernel has no io_uring NVMe passthrough (Linux 5.19+)";
            case ENOTTY -> "not an NVMe device";
            default -> null;
        };
    }

    private static Path sysfs(String kind, long rdev) throws IOException {
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return Path.of("/sys/dev", kind, major + ":" + minor).toRealPath();
    }

    /** {@code nvme0, QEMU NVMe Ctrl}, from the namespace's sysfs directory (its device is the controller). */
    private static String controllerOf(Path namespaceDir) {
        try {
            Path ctrl = namespaceDir.resolve("device").toRealPath();
            String model = Files.isReadable(ctrl.resolve("model")) ? Files.readString(ctrl.resolve("model")).strip() : "";
            return ctrl.getFileName() + (model.isEmpty() ? "" : ", " + model);
        } catch (IOException e) {
            return "controller unknown";
        }
    }

    /** {@code vda (virtio)}: a disk's name and driver, to say what a refused device is. */
    private static String describeDisk(Path dir) {
        String name = dir.getFileName().toString();
        try {
            Path driver = dir.resolve("device/driver").toRealPath();
            return name + " (" + driver.getFileName().toString().toLowerCase(Locale.ROOT) + ")";
        } catch (IOException e) {
            return name;
        }
    }
}
