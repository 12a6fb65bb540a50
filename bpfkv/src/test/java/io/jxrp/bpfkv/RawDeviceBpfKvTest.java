package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.RootFixtures;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A database on a raw block device (here a loop device; NVMe namespaces in the guest suite) is a
 * database on a namespace: written from offset 0 through an engine (the root last), its layer count
 * found from the root, read by the engine and, the kernel owning the device, the pread path too.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RawDeviceBpfKvTest {

    @Test
    void aDatabaseOnARawDeviceMatchesTheModel() throws Exception {
        RootFixtures.assumeRoot();
        long seed = Model.seed();
        Path backing = Model.testDir().resolve("raw-" + System.nanoTime() + ".img");
        try {
            try (var ch = java.nio.channels.FileChannel.open(backing, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.allocate(1), (8L << 20) - 1); // 8 MiB: room for L=3 (2.3 MiB), not L=4
            }
            try (RootFixtures.LoopDevice loop = RootFixtures.LoopDevice.attach(backing, 512)) {
                Path device = loop.device();
                java.io.IOException tooSmall = assertThrows(java.io.IOException.class,
                        () -> DbBuilder.create(device, 4, DbBuilder.Options.defaults()));
                assertTrue(tooSmall.getMessage().contains("the namespace holds"), tooSmall.getMessage());
                DbBuilder.Result created = DbBuilder.create(device, 3, DbBuilder.Options.defaults());
                assertNull(created.sidecar(), "a device keeps no checksum sidecar");
                assertTrue(Files.exists(device), "the device node stays");
                FileAlreadyExistsException again = assertThrows(FileAlreadyExistsException.class,
                        () -> DbBuilder.create(device, 3, DbBuilder.Options.defaults()));
                assertTrue(again.getMessage().contains("first block is not zero"), again.getMessage());

                for (BpfKvOptions options : new BpfKvOptions[] {
                        BpfKvContractTest.engineOptions(BackendKind.URING),
                        BpfKvOptions.defaults().withMode(BpfKvOptions.Mode.PREAD)}) {
                    try (BpfKv db = BpfKv.open(device, options)) {
                        assertEquals(new TreeLayout(3).fileSizeBytes(), db.layout().fileSizeBytes(),
                                "the layer count found from the root");
                        BpfKvContractTest.checkAgainstTheModel(db, 3, new Random(seed),
                                "raw " + device + " " + db.backendDescription() + " seed " + seed);
                        assertEquals(0, db.stats().fallbacks().size(), db.stats().toString());
                    }
                }
                BpfKvFormatException wrongLayers = assertThrows(BpfKvFormatException.class,
                        () -> BpfKv.open(device, BpfKvOptions.defaults().withLayers(2)));
                assertTrue(wrongLayers.getMessage().contains("found by descending from the root"), wrongLayers.getMessage());
            }
        } finally {
            Files.deleteIfExists(backing);
        }
    }
}
