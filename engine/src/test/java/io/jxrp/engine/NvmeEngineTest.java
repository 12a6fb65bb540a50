package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import io.jxrp.nvme.NvmeNamespace;
import io.jxrp.nvme.NvmeTestNamespaces;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine on real NVMe namespaces (the guest's emulated controllers, 512 B and 4 KiB blocks):
 * raw namespaces written and chased through uring and passthru, the FIEMAP digest over ext4 on a
 * namespace and on a partition of one (same answers as the identity digest, rewrites under running
 * chains stale and never stale data), and auto-selection preferring passthru where it applies.
 */
@Tag("nvme")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class NvmeEngineTest {
    private static final int RECORDS = 8192;

    static Stream<Arguments> rawAndBackends() {
        return NvmeTestNamespaces.raw().stream().flatMap(ns ->
                Stream.of(Arguments.of(ns, BackendKind.URING), Arguments.of(ns, BackendKind.PASSTHRU)));
    }

    static Stream<Arguments> fileSystemsAndBackends() {
        return NvmeTestNamespaces.fileSystems().stream().flatMap(dir ->
                Stream.of(Arguments.of(dir, BackendKind.URING), Arguments.of(dir, BackendKind.PASSTHRU)));
    }

    static List<Path> raw() {
        return NvmeTestNamespaces.raw();
    }

    static List<Path> fileSystems() {
        return NvmeTestNamespaces.fileSystems();
    }

    private static EngineOptions options(BackendKind backend) {
        return EngineOptions.defaults().withBackend(backend).withQueueDepth(64).withMaxInflightRequests(64);
    }

    /** A chain image written through the engine (passthru: NVMe writes and a flush), then chased. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rawAndBackends")
    void chainsOnARawNamespaceWrittenThroughTheEngine(Path namespace, BackendKind backend) throws Exception {
        long seed = TestFiles.seed();
        System.out.println("chainsOnARawNamespaceWrittenThroughTheEngine " + namespace + " " + backend + " seed " + seed);
        Path scratch = Files.createTempFile(NvmeTestNamespaces.fileSystems().get(0), "chain", ".bin");
        try (ResubmissionEngine engine = ResubmissionEngine.open(options(backend));
             Arena arena = Arena.ofShared()) {
            ChainFile chain = ChainFile.create(scratch, RECORDS, seed);
            byte[] image = Files.readAllBytes(scratch);
            Target target = engine.addTarget(TargetSpec.of(namespace), TargetOptions.defaults().withWritable(true));
            assertEquals(backend.cliName(), target.backendName());
            assertEquals(Integer.parseInt(Files.readString(Path.of("/sys/class/block", namespace.getFileName().toString(),
                    "queue/logical_block_size")).trim()), target.logicalBlockSize());
            MemorySegment data = arena.allocate(image.length, 4096);
            MemorySegment.copy(MemorySegment.ofArray(image), 0, data, 0, image.length);
            engine.write(target, 0, data).get(120, TimeUnit.SECONDS);
            engine.flush(target).get(60, TimeUnit.SECONDS);

            Random rnd = new Random(seed);
            List<CompletableFuture<XrpResult<long[]>>> futures = new ArrayList<>();
            List<int[]> asked = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                int start = rnd.nextInt(RECORDS);
                int hops = 1 + rnd.nextInt(30);
                futures.add(engine.submit(ChainFunctions.chase(start, hops).withTarget(target)));
                asked.add(new int[] {start, hops});
            }
            for (int i = 0; i < futures.size(); i++) {
                XrpResult<long[]> r = futures.get(i).get(120, TimeUnit.SECONDS);
                int[] a = asked.get(i);
                long[] want = chain.expect(a[0], a[1]);
                assertEquals(Outcome.OK, r.outcome(), "chain " + i + " seed " + seed);
                assertArrayEquals(new long[] {want[0], want[1], a[1]}, r.value(), "chain " + i + " seed " + seed);
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    @ParameterizedTest
    @MethodSource("raw")
    void autoPrefersPassthruOnANamespaceAndSaysWhy(Path namespace) throws Exception {
        NvmeNamespace ns = NvmeNamespace.probe(namespace, false);
        try (ResubmissionEngine engine = ResubmissionEngine.open(options(BackendKind.AUTO))) {
            for (Path name : List.of(namespace, ns.genericDevice())) {
                Target t = engine.addTarget(TargetSpec.of(name), TargetOptions.defaults());
                assertEquals("passthru", t.backendName(), name + ": " + t.backendReason());
                assertTrue(t.backendReason().contains("is an NVMe namespace"), t.backendReason());
                assertTrue(t.backendReason().contains(ns.genericDevice().toString()), t.backendReason());
                assertEquals(ns.sizeBytes(), t.sizeBytes());
                t.close();
            }
            IllegalArgumentException uring = assertThrows(IllegalArgumentException.class, () -> engine.addTarget(
                    TargetSpec.of(ns.genericDevice()), TargetOptions.defaults().withBackend(BackendKind.URING)));
            assertTrue(uring.getMessage().contains("takes NVMe commands only"), uring.getMessage());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fileSystemsAndBackends")
    void fiemapOnNvmeGivesTheIdentityAnswers(Path dir, BackendKind backend) throws Exception {
        long seed = TestFiles.seed();
        System.out.println("fiemapOnNvmeGivesTheIdentityAnswers " + dir + " " + backend + " seed " + seed);
        Path device = FiemapChecks.bypassGivesTheIdentityAnswers(dir, options(BackendKind.URING), options(backend), seed, 200);
        Path mounted = Path.of(RootFixtures.run("findmnt", "-n", "-o", "SOURCE", "--target", dir.toString()));
        assertEquals(mounted.toRealPath(), device.toRealPath(), "the FIEMAP digest reads the disk under " + dir);
        NvmeNamespace ns = NvmeNamespace.probe(device, false);
        System.out.println(dir + " is on " + ns.describe());
    }

    @ParameterizedTest
    @MethodSource("fileSystems")
    void autoTakesPassthruForAFileThroughFiemapAndUringThroughTheFileSystem(Path dir) throws Exception {
        Path file = dir.resolve("auto.bin");
        ChainFile.create(file, 64, 1);
        try (ResubmissionEngine engine = ResubmissionEngine.open(options(BackendKind.AUTO))) {
            Target bypass = engine.addTarget(TargetSpec.of(file), TargetOptions.defaults().withDigest(DigestKind.FIEMAP));
            assertEquals("passthru", bypass.backendName(), bypass.backendReason());
            assertTrue(bypass.backendReason().contains("is an NVMe namespace"), bypass.backendReason());
            Target through = engine.addTarget(TargetSpec.of(file), TargetOptions.defaults());
            assertEquals("uring", through.backendName(), through.backendReason());
            assertTrue(through.backendReason().contains("not passthru: " + file + " is a regular file"), through.backendReason());
            XrpResult<long[]> a = engine.execute(ChainFunctions.chase(3, 20).withTarget(bypass));
            XrpResult<long[]> b = engine.execute(ChainFunctions.chase(3, 20).withTarget(through));
            assertEquals(Outcome.OK, a.outcome());
            assertArrayEquals(b.value(), a.value());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fileSystemsAndBackends")
    void rewritingAFileOnNvmeUnderRunningChainsIsStaleNeverStaleData(Path dir, BackendKind backend) throws Exception {
        long seed = TestFiles.seed();
        System.out.println("rewritingAFileOnNvmeUnderRunningChainsIsStaleNeverStaleData " + dir + " " + backend + " seed " + seed);
        String used = FiemapChecks.rewriteUnderRunningChainsIsStaleNeverStaleData(dir, options(backend), seed);
        assertEquals(backend.cliName(), used);
    }
}
