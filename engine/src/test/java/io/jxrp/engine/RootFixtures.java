package io.jxrp.engine;

import io.jxrp.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Loop devices and ext4 mounts for tests that need root; they skip, saying why, elsewhere (and fail in CI). */
public final class RootFixtures {
    private RootFixtures() {
    }

    public static void assumeRoot() {
        Requirements.requireRoot("loop devices, mounts");
        Requirements.requireTools("losetup", "mkfs.ext4", "mount", "umount");
        Requirements.require(Files.exists(Path.of("/dev/loop-control")), () -> "needs /dev/loop-control (loop devices)");
    }

    /** Runs a command, returns its stdout, throws with its output when it fails. */
    public static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited;
        try {
            exited = p.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new java.io.InterruptedIOException(String.join(" ", cmd) + ": interrupted");
        }
        if (!exited) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out.strip();
    }

    /** A loop device over a file; detached on close. */
    public record LoopDevice(Path device) implements AutoCloseable {
        public static LoopDevice attach(Path backingFile, int sectorSize) throws IOException {
            return new LoopDevice(Path.of(run("losetup", "-f", "--show", "--direct-io=on", "-b",
                    Integer.toString(sectorSize), backingFile.toString())));
        }

        @Override
        public void close() throws IOException {
            run("losetup", "-d", device.toString());
        }
    }

    /** A fresh ext4 file system on a loop device over an image file, mounted under target/. */
    public static final class Ext4Mount implements AutoCloseable {
        public final Path image;
        public final Path mountPoint;
        public final LoopDevice loop;

        private Ext4Mount(Path image, Path mountPoint, LoopDevice loop) {
            this.image = image;
            this.mountPoint = mountPoint;
            this.loop = loop;
        }

        /** With mkfs.ext4's own block size: 1 KiB for file systems this small. */
        public static Ext4Mount create(String name, long sizeMiB) throws IOException {
            return create(name, sizeMiB, 0);
        }

        /** With {@code blockSizeBytes} blocks (1024, 2048 or 4096), or mkfs.ext4's choice for 0. */
        public static Ext4Mount create(String name, long sizeMiB, int blockSizeBytes) throws IOException {
            Path image = TestFiles.dir().resolve(name + ".img");
            Path mnt = TestFiles.dir().resolve(name + "-mnt");
            Files.deleteIfExists(image);
            Files.createDirectories(mnt);
            run("truncate", "-s", sizeMiB + "M", image.toString());
            if (blockSizeBytes == 0) {
                run("mkfs.ext4", "-q", "-F", image.toString());
            } else {
                run("mkfs.ext4", "-q", "-F", "-b", Integer.toString(blockSizeBytes), image.toString());
            }
            LoopDevice loop = LoopDevice.attach(image, 512);
            try {
                run("mount", "-t", "ext4", loop.device().toString(), mnt.toString());
            } catch (IOException e) {
                loop.close();
                throw e;
            }
            return new Ext4Mount(image, mnt, loop);
        }

        @Override
        public void close() throws IOException {
            try {
                // io_uring tears a closed ring down asynchronously, and its registered files keep the
                // mount busy until then: retry for a few seconds
                for (int attempt = 0; ; attempt++) {
                    try {
                        run("umount", mountPoint.toString());
                        break;
                    } catch (IOException busy) {
                        if (attempt >= 50 || !String.valueOf(busy.getMessage()).contains("busy")) {
                            throw busy;
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException("umount interrupted");
                        }
                    }
                }
            } finally {
                loop.close();
                Files.deleteIfExists(image);
            }
        }
    }
}
