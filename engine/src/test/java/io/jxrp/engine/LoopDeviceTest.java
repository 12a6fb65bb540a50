package io.jxrp.engine;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * As root, on real loop devices: the FIEMAP digest reading the block device under ext4 directly gives
 * the identity path's answers; rewriting the file under running chains gives STALE_MAPPING, never
 * stale data; a 4 KiB-sector device serves 512 B requests from the enclosing aligned block. On the
 * io_uring and the java backend each.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LoopDeviceTest {

    /** The engine on {@code kind}: io_uring is required for URING (a skip, or a failure in CI, without it). */
    private static EngineOptions options(BackendKind kind) {
        if (kind == BackendKind.URING) {
            TestBackends.requireUring();
        }
        return EngineOptions.defaults().withBackend(kind).withJavaThreads(8);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BackendKind.class, names = {"URING", "JAVA"})
    void fiemapDigestBypassesExt4WithTheSameAnswers(BackendKind kind) throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("fiemapDigestBypassesExt4WithTheSameAnswers seed " + seed);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("fiemap", 64, 4096)) {
            Path device = FiemapChecks.bypassGivesTheIdentityAnswers(fs.mountPoint, options(kind), options(kind), seed, 500);
            assertEquals(fs.loop.device().toRealPath(), device.toRealPath(), "the FIEMAP digest reads the loop device itself");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BackendKind.class, names = {"URING", "JAVA"})
    void rewritingTheFileUnderRunningChainsIsStaleNeverStaleData(BackendKind kind) throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("rewritingTheFileUnderRunningChainsIsStaleNeverStaleData seed " + seed);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("stale", 64, 4096)) {
            assertEquals(kind.cliName(), FiemapChecks.rewriteUnderRunningChainsIsStaleNeverStaleData(fs.mountPoint, options(kind),
                    seed));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BackendKind.class, names = {"URING", "JAVA"})
    void fourKibSectorDeviceServesHalfKibRequests(BackendKind kind) throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("fourKibSectorDeviceServesHalfKibRequests seed " + seed);
        Path backing = TestFiles.dir().resolve("sector4k.bin");
        ChainFile chain = ChainFile.create(backing, 4096, seed);
        try (RootFixtures.LoopDevice loop = RootFixtures.LoopDevice.attach(backing, 4096);
             ResubmissionEngine e = ResubmissionEngine.open(loop.device(), options(kind))) {
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
