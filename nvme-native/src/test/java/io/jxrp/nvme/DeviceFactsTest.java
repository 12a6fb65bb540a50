package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.jxrp.testing.RamfsMount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceFactsTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        TestFiles.assumeLibrary();
        dir = TestFiles.scratchDir("facts");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    @Test
    void regularFileOnTheBuildFileSystem() throws IOException {
        Path file = dir.resolve("f.bin");
        Files.write(file, new byte[12345]);
        DeviceFacts facts = DeviceFacts.probe(file);
        System.out.println(file + ": " + facts);
        assertEquals(12345, facts.sizeBytes());
        assertFalse(facts.blockDevice());
        int lbs = facts.logicalBlockSize();
        assertTrue(lbs >= 512 && lbs <= 65536 && Integer.bitCount(lbs) == 1, "logical block size " + lbs);
        // The module's target/ is on a file system with O_DIRECT in CI (ext4); where it says so,
        // an aligned O_DIRECT queue pair must open.
        if (facts.directIo() && io.jxrp.testing.Requirements.partlyRequire(NvmeNative.isAvailable(),
                () -> "io_uring shim unavailable: " + NvmeNative.unavailabilityCause())) {
            try (QueuePair qp = QueuePair.open(QueuePairConfig.readOnly(file, 1, 1, 4096))) {
                assertTrue(qp.bufferCount() == 1);
            }
        }
    }

    /**
     * tmpfs refused O_DIRECT before Linux 6.6 and accepts it since: directIo must say what an
     * O_DIRECT queue pair then does, and what this kernel's version says tmpfs does.
     */
    @Test
    void tmpfsDirectIoMatchesWhatAQueuePairCanDo() throws IOException {
        TestFiles.assumeUring();
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
        assumeTrue("tmpfs".equals(Files.getFileStore(shm).type()), "/dev/shm is not tmpfs here");
        Path file = Files.createTempFile(shm, "jxrp-facts", ".bin");
        try {
            Files.write(file, new byte[4096]);
            DeviceFacts facts = DeviceFacts.probe(file);
            System.out.println("tmpfs (" + System.getProperty("os.version") + "): " + facts);
            assertEquals(new DeviceFacts(4096, facts.logicalBlockSize(), false, TestFiles.kernelAtLeast(6, 6)), facts,
                    "tmpfs has O_DIRECT from Linux 6.6 on");
            assertDirectIoIsWhatAQueuePairFinds(file, facts);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** ramfs has no O_DIRECT on any kernel: the probe says so and an O_DIRECT queue pair is EINVAL. */
    @Test
    void ramfsHasNoDirectIo() throws IOException {
        TestFiles.assumeUring();
        try (RamfsMount ramfs = RamfsMount.create(dir.resolve("ramfs"))) {
            Path file = ramfs.path().resolve("f.bin");
            Files.write(file, new byte[8192]);
            DeviceFacts facts = DeviceFacts.probe(file);
            assertEquals(8192, facts.sizeBytes());
            assertFalse(facts.blockDevice());
            assertFalse(facts.directIo(), "ramfs refuses O_DIRECT: " + facts);
            assertDirectIoIsWhatAQueuePairFinds(file, facts);
        }
    }

    private static void assertDirectIoIsWhatAQueuePairFinds(Path file, DeviceFacts facts) throws IOException {
        if (facts.directIo()) {
            try (QueuePair qp = QueuePair.open(QueuePairConfig.readOnly(file, 1, 1, 4096))) {
                qp.addRead(1, 0, 0, 4096, 0);
                assertEquals(1, qp.submitAndReap(1, java.util.concurrent.TimeUnit.SECONDS.toNanos(10)));
                assertEquals(4096, qp.completionResult(0));
            }
        } else {
            NativeIOException e = assertThrows(NativeIOException.class,
                    () -> QueuePair.open(QueuePairConfig.readOnly(file, 1, 1, 4096)));
            assertEquals("EINVAL", e.errnoName());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void loopDeviceWith512ByteSectors() throws Exception {
        try (LoopDevice loop = LoopDevice.attach(dir, 8 << 20, 512)) {
            DeviceFacts facts = DeviceFacts.probe(loop.device());
            assertEquals(new DeviceFacts(8 << 20, 512, true, true), facts);
        }
    }

    @Test
    void loopDeviceWith4KiBSectorsAndAFileOnIt() throws Exception {
        try (LoopDevice loop = LoopDevice.attach(dir, 64 << 20, 4096)) {
            DeviceFacts facts = DeviceFacts.probe(loop.device());
            assertEquals(new DeviceFacts(64 << 20, 4096, true, true), facts);
            Path mount = loop.mountExt4(dir.resolve("mnt"));
            Path file = mount.resolve("f.bin");
            Files.write(file, new byte[8192]);
            DeviceFacts fileFacts = DeviceFacts.probe(file);
            assertEquals(new DeviceFacts(8192, 4096, false, true), fileFacts,
                    "a file inherits the 4 KiB logical block size of its device");
        }
    }

    /**
     * A partition: its own facts from BLKSSZGET, sysfs finding the logical block size at the parent
     * (partitions have no queue/), and FIEMAP's backing device being the partition, not the disk.
     */
    @Test
    void partitionOfA4KiBSectorLoopDevice() throws Exception {
        try (LoopDevice loop = LoopDevice.attach(dir, 64 << 20, 4096, true)) {
            Path partition = loop.firstPartition();
            DeviceFacts facts = DeviceFacts.probe(partition);
            assertEquals(new DeviceFacts((64 << 20) - (1 << 20), 4096, true, true), facts);

            long rdev = (Long) Files.getAttribute(partition, "unix:rdev");
            int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL)); // glibc's dev_t encoding
            int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
            assertTrue(java.nio.file.Files.exists(Path.of("/sys/dev/block/" + major + ":" + minor + "/partition")));
            assertEquals(java.util.Optional.of(4096), SysfsBlock.logicalBlockSize(major, minor),
                    "sysfs: the parent's queue/logical_block_size");
            assertEquals(java.util.Optional.of(partition.getFileName().toString()), SysfsBlock.devName(major, minor));

            Path mount = loop.mountExt4(partition, dir.resolve("mnt"));
            Path file = mount.resolve("f.bin");
            Files.write(file, new byte[4096]);
            assertEquals(partition, Fiemap.backingDevice(file));
        }
    }

    @Test
    void errorsNameThePathAndErrno() throws IOException {
        Path missing = dir.resolve("missing");
        IOException e = assertThrows(IOException.class, () -> DeviceFacts.probe(missing));
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains(missing.toString()), e.getMessage());
        NativeIOException notBlock = assertThrows(NativeIOException.class, () -> DeviceFacts.probe(dir));
        assertEquals("ENOTBLK", notBlock.errnoName(), notBlock.getMessage());
    }
}
