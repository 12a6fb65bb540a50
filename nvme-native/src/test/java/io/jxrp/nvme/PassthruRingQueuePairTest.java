package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every file test of {@link QueuePairTest} on a passthrough queue pair (big SQEs and CQEs, every SQE
 * tracked by the shim): the FIEMAP digest reads a file's unsafe ranges through the same ring as the
 * namespace under it. The NVMe side runs in the guest ({@code NvmePassthruQueuePairTest}).
 */
class PassthruRingQueuePairTest extends QueuePairTest {
    @Override
    QueuePair open(QueuePairConfig cfg) throws IOException {
        QueuePair qp = QueuePair.openPassthru(cfg);
        assertTrue(qp.isPassthru(), qp.toString());
        return qp;
    }

    @Test
    void aFileIsNotANamespace() throws IOException {
        Path dir = TestFiles.scratchDir("not-nvme");
        try {
            Path file = dir.resolve("plain.bin");
            Files.write(file, new byte[4096]);
            IOException e = assertThrows(IOException.class, () -> NvmeNamespace.probe(file, true));
            assertTrue(e.getMessage().contains("is a regular file, not an NVMe namespace"), e.getMessage());
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    @Test
    void aCharacterDeviceOtherThanAGenericDeviceIsRefused() {
        IOException e = assertThrows(IOException.class, () -> NvmeNamespace.probe(Path.of("/dev/null"), true));
        assertTrue(e.getMessage().contains("not an NVMe generic device (it is null)"), e.getMessage());
    }

    @Test
    void aBlockDeviceOtherThanANamespaceIsRefusedNamingIt() throws IOException {
        Path dir = TestFiles.scratchDir("not-nvme-block");
        try (LoopDevice loop = LoopDevice.attach(dir, 1 << 20, 512)) {
            String name = loop.device().getFileName().toString();
            IOException e = assertThrows(IOException.class, () -> NvmeNamespace.probe(loop.device(), true));
            assertTrue(e.getMessage().contains("is not an NVMe namespace (it is " + name), e.getMessage());
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    @Test
    void namespacesAttachToPassthroughQueuePairsOnly() throws IOException {
        TestFiles.assumeUring();
        NvmeNamespace someNamespace = new NvmeNamespace(Path.of("/dev/nvme9n9"), Path.of("/dev/ng9n9"), "nvme9n9",
                "nvme9", 9, 512, 8, 0, 0, 4096, true, true);
        try (QueuePair plain = QueuePair.open(QueuePairConfig.empty(2, 2, 4096))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> plain.attachNamespace(someNamespace, false));
            assertTrue(e.getMessage().contains("openPassthru"), e.getMessage());
        }
    }
}
