package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.chain.ChainFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Where passthru does not apply, here, without NVMe: auto-selection says why it took uring, and a
 * forced passthru is refused with the reason. On NVMe, {@link NvmeEngineTest} checks the other side.
 */
class PassthruSelectionTest {

    @Test
    void autoOnAFileTakesUringAndSaysWhyNotPassthru() throws Exception {
        TestBackends.requireUring();
        Path file = TestFiles.dir().resolve("auto-" + System.nanoTime() + ".bin");
        ChainFile.create(file, 16, 1);
        try (ResubmissionEngine engine = ResubmissionEngine.open(EngineOptions.defaults())) {
            Target t = engine.addTarget(file);
            assertEquals("uring", t.backendName(), t.backendReason());
            assertTrue(t.backendReason().startsWith("auto: io_uring shim loaded; not passthru: " + file + " is a regular file"),
                    t.backendReason());
            IllegalArgumentException forced = assertThrows(IllegalArgumentException.class, () -> engine.addTarget(
                    TargetSpec.of(file), TargetOptions.defaults().withBackend(BackendKind.PASSTHRU)));
            assertTrue(forced.getMessage().contains("passthru reads a file through the FIEMAP digest"), forced.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void passthruUnderAFiemapDigestOnANonNvmeDiskNamesTheDisk() throws Exception {
        RootFixtures.assumeRoot();
        TestBackends.requireUring();
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("passthru-refusal", 16);
             ResubmissionEngine engine = ResubmissionEngine.open(EngineOptions.defaults())) {
            Path file = fs.mountPoint.resolve("chain.bin");
            ChainFile.create(file, 16, 2);
            String loop = fs.loop.device().getFileName().toString();
            IllegalArgumentException forced = assertThrows(IllegalArgumentException.class, () -> engine.addTarget(
                    TargetSpec.of(file), TargetOptions.defaults().withDigest(DigestKind.FIEMAP).withBackend(BackendKind.PASSTHRU)));
            assertTrue(forced.getMessage().contains("is not an NVMe namespace (it is " + loop), forced.getMessage());
            Target auto = engine.addTarget(TargetSpec.of(file), TargetOptions.defaults().withDigest(DigestKind.FIEMAP));
            assertEquals("uring", auto.backendName());
            assertTrue(auto.backendReason().contains("not passthru: " + fs.loop.device() + " is not an NVMe namespace"),
                    auto.backendReason());
            auto.close();
        }
    }
}
