package io.jxrp.nvme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A loop device over an image file under target/, optionally with an ext4 file system mounted
 * under target/ too (so tests never read the root disk raw). Root only (skips without it, fails in
 * CI); close detaches.
 */
final class LoopDevice implements AutoCloseable {
    private final Path image;
    private final Path device;
    private Path mountPoint;

    private LoopDevice(Path image, Path device) {
        this.image = image;
        this.device = device;
    }

    /** Attaches a fresh zero-filled image of {@code sizeBytes}; skips the test when not root or no loop devices. */
    static LoopDevice attach(Path dir, long sizeBytes, int sectorSize) throws IOException {
        return attach(dir, sizeBytes, sectorSize, false);
    }

    /**
     * Like {@link #attach(Path, long, int)}; with {@code onePartition}, the device is attached with
     * partitions enabled ({@code losetup -P}) and gets one partition from 1 MiB to the end, added with
     * the BLKPG ioctl ({@code addpart}) rather than by the kernel scanning a partition table, so it
     * exists whether or not this kernel was built with MBR support.
     */
    static LoopDevice attach(Path dir, long sizeBytes, int sectorSize, boolean onePartition) throws IOException {
        TestFiles.assumeRoot();
        io.jxrp.testing.Requirements.requireTools(onePartition ? new String[] {"losetup", "addpart"} : new String[] {"losetup"});
        Path image = dir.resolve("loop-" + System.nanoTime() + ".img");
        try (var channel = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.allocate(1), sizeBytes - 1);
        }
        List<String> command = new ArrayList<>(List.of("losetup", "-f", "--show"));
        if (onePartition) {
            command.add("-P");
        }
        if (sectorSize != 512) {
            command.add("--sector-size");
            command.add(Integer.toString(sectorSize));
        }
        command.add(image.toString());
        Result result = run(command);
        io.jxrp.testing.Requirements.require(result.exit == 0, () -> "losetup failed here: " + result.output);
        LoopDevice loop = new LoopDevice(image, Path.of(result.output.trim()));
        if (onePartition) {
            try {
                // addpart counts in 512-byte sectors whatever the device's sector size
                check(run(List.of("addpart", loop.device.toString(), "1", Long.toString(PARTITION_START_BYTES / 512),
                        Long.toString((sizeBytes - PARTITION_START_BYTES) / 512))), "addpart");
            } catch (IOException | RuntimeException e) {
                loop.close();
                throw e;
            }
        }
        return loop;
    }

    /** Where {@code attach(..., true)} starts the partition. */
    static final long PARTITION_START_BYTES = 1 << 20;

    Path device() {
        return device;
    }

    /** The partition {@code attach(..., true)} added ({@code /dev/loopNp1}), once its node exists. */
    Path firstPartition() throws IOException {
        Path partition = Path.of(device + "p1");
        Path sysfs = Path.of("/sys/class/block", partition.getFileName().toString());
        if (!Files.exists(sysfs)) {
            throw new IOException(partition + " is not in sysfs after addpart");
        }
        for (int i = 0; i < 100 && !Files.exists(partition); i++) { // udev may create the node a little later
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
        if (!Files.exists(partition)) {
            throw new IOException(partition + " is in sysfs but its /dev node did not appear");
        }
        return partition;
    }

    /** mkfs.ext4 with 4 KiB blocks on the whole device, mounted at {@code mountPoint}. */
    Path mountExt4(Path mountPoint) throws IOException {
        return mountExt4(device, mountPoint);
    }

    /** mkfs.ext4 with 4 KiB blocks on {@code target} (this device or one of its partitions), mounted. */
    Path mountExt4(Path target, Path mountPoint) throws IOException {
        check(run(List.of("mkfs.ext4", "-q", "-F", "-b", "4096", target.toString())), "mkfs.ext4");
        Files.createDirectories(mountPoint);
        check(run(List.of("mount", target.toString(), mountPoint.toString())), "mount");
        this.mountPoint = mountPoint;
        return mountPoint;
    }

    @Override
    public void close() throws IOException {
        try {
            if (mountPoint != null) {
                check(run(List.of("umount", mountPoint.toString())), "umount");
            }
        } finally {
            try {
                check(run(List.of("losetup", "-d", device.toString())), "losetup -d");
            } finally {
                Files.deleteIfExists(image);
            }
        }
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted: " + command);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static void check(Result result, String what) throws IOException {
        if (result.exit != 0) {
            throw new IOException(what + " failed (" + result.exit + "): " + result.output);
        }
    }
}
