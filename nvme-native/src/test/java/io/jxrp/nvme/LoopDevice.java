package io.jxrp.nvme;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A loop device over an image file under target/, optionally with an ext4 file system mounted
 * under target/ too (so tests never read the root disk raw). Root only; close detaches.
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
     * Like {@link #attach(Path, long, int)}; with {@code onePartition}, the image gets an MBR with
     * one Linux partition from 1 MiB to the end and the loop device scans it ({@code losetup -P}).
     */
    static LoopDevice attach(Path dir, long sizeBytes, int sectorSize, boolean onePartition) throws IOException {
        TestFiles.assumeRoot();
        Path image = dir.resolve("loop-" + System.nanoTime() + ".img");
        try (var channel = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.allocate(1), sizeBytes - 1);
            if (onePartition) {
                channel.write(java.nio.ByteBuffer.wrap(mbr(sizeBytes, sectorSize)), 0);
            }
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
        assumeTrue(result.exit == 0, () -> "losetup unavailable here: " + result.output);
        return new LoopDevice(image, Path.of(result.output.trim()));
    }

    Path device() {
        return device;
    }

    /**
     * The first partition's node ({@code /dev/loopNp1}) after {@code attach(..., true)}; skips the
     * test when the kernel made none (kernels built without MBR partition support, e.g. minimal VM kernels).
     */
    Path firstPartition() throws IOException {
        Path partition = Path.of(device + "p1");
        Path sysfs = Path.of("/sys/class/block", partition.getFileName().toString());
        assumeTrue(Files.exists(sysfs), () -> partition + " was not created: this kernel does not scan "
                + "partitions of loop devices (no CONFIG_MSDOS_PARTITION?)");
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

    /** A classic MBR: one partition of type 0x83 from 1 MiB to the end, in units of the sector size. */
    private static byte[] mbr(long sizeBytes, int sectorSize) {
        java.nio.ByteBuffer mbr = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long first = (1 << 20) / sectorSize;
        long count = sizeBytes / sectorSize - first;
        int entry = 446;
        mbr.put(entry + 4, (byte) 0x83);
        mbr.putInt(entry + 8, (int) first);
        mbr.putInt(entry + 12, (int) count);
        mbr.put(510, (byte) 0x55);
        mbr.put(511, (byte) 0xAA);
        return mbr.array();
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
