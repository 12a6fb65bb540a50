package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine as a server of many targets, for every backend: requests spread over many files at
 * once against their models, targets added and removed while requests run, writes and flushes, the
 * integrity hook. One small subclass per backend; randomized cases print their seed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TargetsContractTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final int RECORDS = 512;

    private Path dir;
    private ResubmissionEngine engine;

    /** The backend under test. */
    protected abstract IoBackend backend() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        dir = TestFiles.dir().resolve(getClass().getSimpleName() + "-" + System.nanoTime());
        Files.createDirectories(dir);
        engine = ResubmissionEngine.open(EngineOptions.defaults().withReactors(2).withQueueDepth(64)
                .withMaxInflightRequests(64).withHopBudget(256), backend());
    }

    @AfterEach
    void tearDown() throws IOException {
        if (engine != null) {
            engine.close();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void check(ChainFile chain, int start, int hops, XrpResult<long[]> r, String what) {
        long[] want = chain.expect(start, hops);
        assertEquals(Outcome.OK, r.outcome(), what);
        assertArrayEquals(new long[] {want[0], want[1], hops}, r.value(), what);
    }

    @Test
    void chainsOverManyTargetsAtOnceAgainstTheirModels() throws Exception {
        long seed = TestFiles.seed();
        System.out.println("chainsOverManyTargetsAtOnceAgainstTheirModels seed=" + seed);
        Random rnd = new Random(seed);
        int files = 40;
        ChainFile[] chains = new ChainFile[files];
        Target[] targets = new Target[files];
        for (int f = 0; f < files; f++) {
            chains[f] = ChainFile.create(dir.resolve("c" + f), RECORDS, rnd.nextLong());
            targets[f] = engine.addTarget(chains[f].path);
        }
        assertEquals(files, engine.targets().size());
        List<CompletableFuture<XrpResult<long[]>>> futures = new ArrayList<>();
        List<int[]> asked = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            int f = rnd.nextInt(files);
            int start = rnd.nextInt(RECORDS);
            int hops = 1 + rnd.nextInt(30);
            futures.add(engine.submit(ChainFunctions.chase(start, hops).withTarget(targets[f])));
            asked.add(new int[] {f, start, hops});
        }
        for (int i = 0; i < futures.size(); i++) {
            int[] a = asked.get(i);
            check(chains[a[0]], a[1], a[2], futures.get(i).get(60, TimeUnit.SECONDS),
                    "request " + i + " on file " + a[0] + " seed " + seed);
        }
    }

    @Test
    void hundredsOfTargetsNeedNoMoreReactors() throws Exception {
        int files = 300;
        List<Target> targets = new ArrayList<>();
        List<ChainFile> chains = new ArrayList<>();
        int threadsBefore = -1;
        for (int f = 0; f < files; f++) {
            ChainFile c = ChainFile.create(dir.resolve("h" + f), 8, f);
            chains.add(c);
            targets.add(engine.addTarget(c.path));
            if (f == 0) { // the first target opens each reactor's queue (the java backend's pool with it)
                threadsBefore = Thread.activeCount();
            }
        }
        assertTrue(Thread.activeCount() <= threadsBefore + 2, "targets must not start threads");
        for (int f = 0; f < files; f += 37) {
            check(chains.get(f), 3, 5, engine.execute(ChainFunctions.chase(3, 5).withTarget(targets.get(f))),
                    "file " + f);
        }
        for (Target t : targets) {
            t.close();
        }
        assertTrue(engine.targets().isEmpty());
    }

    @Test
    void targetsComeAndGoWhileRequestsRun() throws Exception {
        long seed = TestFiles.seed();
        System.out.println("targetsComeAndGoWhileRequestsRun seed=" + seed);
        Random rnd = new Random(seed);
        ChainFile steady = ChainFile.create(dir.resolve("steady"), RECORDS, rnd.nextLong());
        Target steadyTarget = engine.addTarget(steady.path);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger checked = new AtomicInteger();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread load = Thread.ofPlatform().start(() -> {
            Random r = new Random(seed + 1);
            try {
                while (!stop.get()) {
                    int start = r.nextInt(RECORDS);
                    int hops = 1 + r.nextInt(20);
                    check(steady, start, hops,
                            engine.execute(ChainFunctions.chase(start, hops).withTarget(steadyTarget)), "steady");
                    checked.incrementAndGet();
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        for (int round = 0; round < 30; round++) {
            ChainFile c = ChainFile.create(dir.resolve("r" + round), 64, rnd.nextLong());
            Target t = engine.addTarget(c.path);
            List<CompletableFuture<XrpResult<long[]>>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fs.add(engine.submit(ChainFunctions.chase(i, 10).withTarget(t)));
            }
            t.close(); // accepted requests finish first
            for (int i = 0; i < fs.size(); i++) {
                check(c, i, 10, fs.get(i).get(30, TimeUnit.SECONDS), "round " + round + " request " + i);
            }
            ExecutionException late = assertThrows(ExecutionException.class,
                    () -> engine.submit(ChainFunctions.chase(0, 1).withTarget(t)).get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, late.getCause());
            assertTrue(late.getCause().getMessage().contains("closed"), late.getCause().getMessage());
            assertFalse(t.isOpen());
            t.close(); // idempotent
        }
        stop.set(true);
        load.join(30_000);
        assertTrue(errors.isEmpty(), () -> "steady load failed: " + errors);
        assertTrue(checked.get() > 0);
        assertEquals(List.of(steadyTarget), engine.targets());
    }

    @Test
    void aRequestWithoutATargetOnAnEngineWithoutADefaultFails() {
        assertNull(engine.defaultTarget());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> engine.submit(ChainFunctions.chase(0, 1)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertThrows(IllegalStateException.class, engine::backendName);
    }

    @Test
    void aTargetOfAnotherEngineIsRefused() throws Exception {
        ChainFile c = ChainFile.create(dir.resolve("other"), 8, 1);
        try (ResubmissionEngine other = ResubmissionEngine.open(EngineOptions.defaults(), backend())) {
            Target foreign = other.addTarget(c.path);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> engine.submit(ChainFunctions.chase(0, 1).withTarget(foreign)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("another engine"), e.getCause().getMessage());
        }
    }

    @Test
    void aMissingFileIsAClearErrorAndLeavesNothingAttached() {
        Path missing = dir.resolve("missing.bin");
        IOException e = assertThrows(IOException.class, () -> engine.addTarget(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(engine.targets().isEmpty());
    }

    @Test
    void writesAndFlushesThenReadsBackThroughRequests() throws Exception {
        long seed = TestFiles.seed();
        System.out.println("writesAndFlushesThenReadsBackThroughRequests seed=" + seed);
        Random rnd = new Random(seed);
        Path file = dir.resolve("written.bin");
        Files.write(file, new byte[4096]);
        Target t = engine.addTarget(TargetSpec.of(file), TargetOptions.defaults().withWritable(true));
        int align = t.ioAlignment();
        int blocks = 64;
        long[] model = new long[blocks]; // the first word of every 4 KiB block
        try (Arena arena = Arena.ofShared()) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            // several writes in flight at once, one of them bigger than a buffer (it goes out in chunks)
            MemorySegment big = arena.allocate(16 * 4096L, 4096);
            for (int b = 0; b < 16; b++) {
                model[b] = rnd.nextLong();
                big.set(U64, b * 4096L, model[b]);
            }
            writes.add(engine.write(t, 0, big));
            for (int b = 16; b < blocks; b++) {
                MemorySegment one = arena.allocate(4096, 4096);
                model[b] = rnd.nextLong();
                one.set(U64, 0, model[b]);
                writes.add(engine.write(t, b * 4096L, one));
            }
            for (CompletableFuture<Void> w : writes) {
                w.get(30, TimeUnit.SECONDS);
            }
            engine.flush(t).get(30, TimeUnit.SECONDS);
        }
        assertEquals(blocks * 4096L, t.sizeBytes(), "the file grew with the writes");
        assertEquals(blocks * 4096L, Files.size(file));
        // read every block's first word back through one-hop requests
        for (int b = 0; b < blocks; b++) {
            XrpResult<Long> r = engine.execute(XrpRequest.of(t, ctx -> {
                ctx.scratch().set(U64, 0, ctx.data().get(U64, 0));
                ctx.setDone();
                return 0;
            }, b * 4096L, 8, s -> s.get(U64, 0)));
            assertEquals(Outcome.OK, r.outcome());
            assertEquals(model[b], (long) r.value(), "block " + b + " seed " + seed);
        }
        assertTrue(align >= 1 && Integer.bitCount(align) == 1);
    }

    @Test
    void writesAreRefusedWhereTheyCannotGo() throws Exception {
        ChainFile c = ChainFile.create(dir.resolve("ro"), 16, 3);
        Target readOnly = engine.addTarget(c.path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(4096, 4096);
            IllegalArgumentException ro = assertThrows(IllegalArgumentException.class,
                    () -> engine.write(readOnly, 0, block));
            assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
            Target rw = engine.addTarget(TargetSpec.of(c.path), TargetOptions.defaults().withWritable(true));
            IllegalArgumentException unaligned = assertThrows(IllegalArgumentException.class,
                    () -> engine.write(rw, 1, block));
            assertTrue(unaligned.getMessage().contains("aligned"), unaligned.getMessage());
            assertThrows(IllegalArgumentException.class, () -> engine.write(rw, 0, block.asSlice(0, 100)));
        }
        assertThrows(IllegalArgumentException.class, () -> engine.addTarget(TargetSpec.of(c.path),
                TargetOptions.defaults().withWritable(true).withDigest(DigestKind.FIEMAP)));
    }

    /** A CRC32C per 512-byte block, computed from the file as written: the model of an intact file. */
    private static final class Crc512 implements BlockVerifier {
        final long[] crcs;
        final AtomicLong checkedBlocks = new AtomicLong();
        final Set<Long> offsetsSeen = ConcurrentHashMap.newKeySet();

        Crc512(byte[] file) {
            crcs = new long[file.length / 512];
            for (int i = 0; i < crcs.length; i++) {
                CRC32C c = new CRC32C();
                c.update(file, i * 512, 512);
                crcs[i] = c.getValue();
            }
        }

        @Override
        public int blockSizeBytes() {
            return 512;
        }

        @Override
        public long verify(long logicalOffset, MemorySegment buffer, long bufferOffset, long lengthBytes) {
            assertEquals(0, logicalOffset % 512);
            assertEquals(0, lengthBytes % 512);
            for (long o = 0; o < lengthBytes; o += 512) {
                CRC32C c = new CRC32C();
                c.update(buffer.asSlice(bufferOffset + o, 512).asByteBuffer());
                checkedBlocks.incrementAndGet();
                offsetsSeen.add(logicalOffset + o);
                if (c.getValue() != crcs[(int) ((logicalOffset + o) / 512)]) {
                    return logicalOffset + o;
                }
            }
            return -1;
        }
    }

    @Test
    void aVerifierSeesEveryBlockBeforeTheFunctionAndStopsCorruptOnes() throws Exception {
        long seed = TestFiles.seed();
        ChainFile c = ChainFile.create(dir.resolve("verified"), RECORDS, seed);
        Crc512 verifier = new Crc512(Files.readAllBytes(c.path));
        Target t = engine.addTarget(TargetSpec.of(c.path), TargetOptions.defaults().withVerifier(verifier));
        check(c, 5, 30, engine.execute(ChainFunctions.chase(5, 30).withTarget(t)), "intact file");
        assertEquals(30, verifier.checkedBlocks.get(), "one 512 B block per hop, no more");
        // corrupt one record on disk (behind the verifier's back) that the chain from 5 visits
        long[] visited = new long[30];
        long idx = 5;
        for (int h = 0; h < 30; h++) {
            visited[h] = idx;
            idx = c.next[(int) idx];
        }
        long victim = visited[17];
        try (var ch = java.nio.channels.FileChannel.open(c.path, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {42}), victim * 512 + 100);
        }
        XrpResult<long[]> r = engine.execute(ChainFunctions.chase(5, 30).withTarget(t));
        assertEquals(Outcome.CORRUPT, r.outcome());
        assertEquals(victim * 512, r.detail(), "the bad block's offset");
        assertEquals(17, r.hops(), "the function never saw the bad block");
    }

    @Test
    void aThrowingFunctionReportsItsException() throws Exception {
        ChainFile c = ChainFile.create(dir.resolve("throws"), 8, 9);
        Target t = engine.addTarget(c.path);
        XrpResult<long[]> r = engine.execute(XrpRequest.of(t, ctx -> {
            throw new IllegalStateException("boom at " + ctx.curAddr());
        }, 512, ChainFile.RECORD, ChainFunctions::answer));
        assertEquals(Outcome.FUNCTION_ERROR, r.outcome());
        assertEquals(Integer.MIN_VALUE, r.detail());
        assertNotNull(r.failure());
        assertEquals("boom at 512", r.failure().getMessage());
        assertTrue(r.toString().contains("boom at 512"), r.toString());
    }

    @Test
    void closingTheEngineEndsEveryTargetAndRefusesMore() throws Exception {
        ChainFile c = ChainFile.create(dir.resolve("closing"), RECORDS, 5);
        Target t = engine.addTarget(c.path);
        List<CompletableFuture<XrpResult<long[]>>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(engine.submit(ChainFunctions.chase(i, 50).withTarget(t)));
        }
        engine.close();
        for (int i = 0; i < fs.size(); i++) { // accepted before close: they finish
            check(c, i, 50, fs.get(i).get(30, TimeUnit.SECONDS), "request " + i);
        }
        assertFalse(t.isOpen());
        assertThrows(IllegalStateException.class, () -> engine.addTarget(c.path));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> engine.submit(ChainFunctions.chase(0, 1).withTarget(t)).get(10, TimeUnit.SECONDS));
        assertEquals("engine is closed", e.getCause().getMessage());
    }

    private static void assertNull(Object o) {
        org.junit.jupiter.api.Assertions.assertNull(o);
    }
}
