package io.jxrp.engine;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.UringBackend;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * As root, on real loop devices: the FIEMAP digest reading the block device under ext4 directly gives
 * the identity path's answers; rewriting the file under running chains gives STALE_MAPPING, never
 * stale data; a 4 KiB-sector device serves 512 B requests from the enclosing aligned block.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LoopDeviceTest {

    private static IoBackend backend() {
        return UringBackend.unavailabilityCause() == null ? new UringBackend() : new JavaBackend(8);
    }

    private static EngineOptions options() {
        return EngineOptions.defaults().withBackend(UringBackend.unavailabilityCause() == null ? BackendKind.URING
                : BackendKind.JAVA).withJavaThreads(8);
    }

    @Test
    void fiemapDigestBypassesExt4WithTheSameAnswers() throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("fiemapDigestBypassesExt4WithTheSameAnswers seed " + seed);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("fiemap", 64)) {
            Path device = FiemapChecks.bypassGivesTheIdentityAnswers(fs.mountPoint, options(), options(), seed, 500);
            assertEquals(fs.loop.device().toRealPath(), device.toRealPath(), "the FIEMAP digest reads the loop device itself");
        }
    }

    @Test
    void rewritingTheFileUnderRunningChainsIsStaleNeverStaleData() throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("rewritingTheFileUnderRunningChainsIsStaleNeverStaleData seed " + seed);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("stale", 64)) {
            FiemapChecks.rewriteUnderRunningChainsIsStaleNeverStaleData(fs.mountPoint, options(), seed);
        }
    }

    @Test
    void fourKibSectorDeviceServesHalfKibRequests() throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("fourKibSectorDeviceServesHalfKibRequests seed " + seed);
        Path backing = TestFiles.dir().resolve("sector4k.bin");
        ChainFile chain = ChainFile.create(backing, 4096, seed);
        try (RootFixtures.LoopDevice loop = RootFixtures.LoopDevice.attach(backing, 4096);
             ResubmissionEngine e = ResubmissionEngine.open(loop.device(), EngineOptions.defaults(), backend())) {
            assertEquals(4096, e.logicalBlockSize());
            Random rnd = new Random(seed);
            for (int i = 0; i < 300; i++) {
                int start = rnd.nextInt(4096);
                int hops = 1 + rnd.nextInt(20);
                XrpResult<long[]> r = e.execute(ChainFunctions.chase(start, hops));
                long[] want = chain.expect(start, hops);
                assertEquals(Outcome.OK, r.outcome());
                assertArrayEquals(new long[] {want[0], want[1], hops}, r.value());
            }
            // the function sees exactly the 512 bytes it asked for
            XrpResult<Long> size = e.execute(XrpRequest.of(ctx -> {
                ctx.scratch().set(ValueLayout.JAVA_LONG, 0, ctx.data().byteSize());
                ctx.setDone();
                return 0;
            }, 3 * 512, 512, s -> s.get(ValueLayout.JAVA_LONG, 0)));
            assertEquals(512L, size.value());
        } finally {
            Files.deleteIfExists(backing);
        }
    }
}
