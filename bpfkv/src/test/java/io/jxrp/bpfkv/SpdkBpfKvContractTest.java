package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.TargetSpec;
import io.jxrp.nvme.spdk.NvmfTarget;
import io.jxrp.nvme.spdk.SpdkInstall;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The BpfKv contract on the {@code spdk} backend: each database lives on an NVMe namespace of an
 * nvmf_tgt (127.0.0.1, no hugepages; one per kind of namespace, started by the first class that needs
 * it, shared by the others and stopped by its pid when the test run ends), read over NVMe/TCP from
 * offset 0, with no pread path. One subclass per kind of namespace (an aio bdev over
 * the file {@code bpfkv create} wrote, a malloc bdev the database was created on through the engine)
 * and per kind of storage function. A file the suite makes for one test (a corrupt copy) goes onto
 * the spare namespace. Plus the namespace's own cases: create refusing a namespace that holds data,
 * a namespace too small, a zeroed namespace that is no database, and the target killed mid-run.
 * Skipped, saying why, where SPDK is absent.
 */
@ExtendWith(SpdkBpfKvContractTest.SharedTargets.class)
abstract class SpdkBpfKvContractTest extends BpfKvContractTest {
    /** What backs the namespaces. */
    enum Kind { AIO, MALLOC }

    private static final int MAX_LAYERS = 4;

    /** The targets of this test run, one per kind, closed (stopped by pid) when the run ends. */
    static final class Targets implements AutoCloseable {
        final Map<Kind, NvmfTarget> byKind = new EnumMap<>(Kind.class);

        @Override
        public synchronized void close() {
            byKind.values().forEach(NvmfTarget::close);
            byKind.clear();
        }
    }

    /** Keeps the {@link Targets} in the root context's store, which closes them at the end of the run. */
    static final class SharedTargets implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            targets = context.getRoot().getStore(ExtensionContext.Namespace.create(SharedTargets.class))
                    .computeIfAbsent(Targets.class);
        }
    }

    private static volatile Targets targets;

    protected abstract Kind kind();

    /** The storage functions (Java by default). */
    protected BpfKvOptions withFunctions(BpfKvOptions options) {
        return options;
    }

    @Override
    protected final BpfKvOptions options() {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, () -> "SPDK: " + reason);
        return withFunctions(engineOptions(BackendKind.SPDK));
    }

    @Override
    protected BpfKv open(Path file, BpfKvOptions options) throws IOException {
        return BpfKv.open(namespaceHolding(file), options);
    }

    /** The namespace that holds {@code file}'s database: the model's own, or the spare with a copy. */
    private TargetSpec namespaceHolding(Path file) throws IOException {
        NvmfTarget t = target();
        for (int l = 1; l <= MAX_LAYERS; l++) {
            if (Files.isSameFile(file, Model.database(l))) {
                return spec(t, "L" + l);
            }
        }
        TargetSpec spare = spec(t, "Spare");
        DbBuilder.copy(file, spare, DbBuilder.Options.defaults().withForce(true).withBuffers(1 << 20, 3));
        return spare;
    }

    static TargetSpec spec(NvmfTarget t, String bdev) {
        return TargetSpec.parse(t.namespace(bdev).toString());
    }

    private NvmfTarget target() throws IOException {
        Targets shared = targets;
        synchronized (shared) {
            NvmfTarget running = shared.byKind.get(kind());
            if (running != null) {
                return running;
            }
            List<NvmfTarget.Export> exports = new ArrayList<>();
            Path dir = Model.testDir().resolve("spdk-" + kind().name().toLowerCase(java.util.Locale.ROOT));
            Files.createDirectories(dir);
            long spareBytes = new TreeLayout(MAX_LAYERS).fileSizeBytes();
            for (int l = 1; l <= MAX_LAYERS; l++) {
                long bytes = new TreeLayout(l).fileSizeBytes();
                exports.add(kind() == Kind.AIO ? new NvmfTarget.Aio("L" + l, Model.database(l), 512)
                        : new NvmfTarget.Malloc("L" + l, (bytes + 511) / 512, 512));
            }
            if (kind() == Kind.AIO) {
                Path spareFile = dir.resolve("spare.img");
                try (RandomAccessFile f = new RandomAccessFile(spareFile.toFile(), "rw")) {
                    f.setLength(spareBytes); // sparse: reads zeros until a copy lands
                }
                exports.add(new NvmfTarget.Aio("Spare", spareFile, 512));
            } else {
                exports.add(new NvmfTarget.Malloc("Spare", spareBytes / 512, 512));
            }
            NvmfTarget started = NvmfTarget.start(SpdkInstall.find().orElseThrow(), dir, exports, true);
            shared.byKind.put(kind(), started);
            if (kind() == Kind.MALLOC) { // a malloc bdev starts zeroed: bpfkv create writes each database onto it
                for (int l = 1; l <= MAX_LAYERS; l++) {
                    DbBuilder.create(spec(started, "L" + l), l, DbBuilder.Options.defaults().withBuffers(1 << 20, 3));
                }
            }
            return started;
        }
    }

    @Test
    void aNamespaceHoldsTheDatabaseFromOffsetZeroAndTheLayersComeFromTheRoot() throws Exception {
        BpfKvOptions options = options();
        TargetSpec l3 = spec(target(), "L3");
        try (BpfKv db = BpfKv.open(l3, options)) {
            assertEquals(3, db.layout().layers());
            assertNull(db.file());
            assertEquals(l3.toString(), db.source());
            assertTrue(db.backendDescription().startsWith("spdk"), db.backendDescription());
            assertArrayEquals(Model.value(12_345), db.get(12_345).orElseThrow());
        }
        try (BpfKv db = BpfKv.open(l3, options.withLayers(3))) {
            assertEquals(3, db.layout().layers());
        }
        BpfKvFormatException wrong = assertThrows(BpfKvFormatException.class, () -> BpfKv.open(l3, options.withLayers(4)));
        assertTrue(wrong.getMessage().contains("has 3 layers (found by descending from the root), not 4"), wrong.getMessage());
        IllegalArgumentException pread = assertThrows(IllegalArgumentException.class,
                () -> BpfKv.open(l3, options.withMode(BpfKvOptions.Mode.PREAD)));
        assertTrue(pread.getMessage().contains("no pread path"), pread.getMessage());
    }

    @Test
    void createRefusesANamespaceThatHoldsDataAndOneTooSmall() throws Exception {
        options();
        NvmfTarget t = target();
        FileAlreadyExistsException exists = assertThrows(FileAlreadyExistsException.class,
                () -> DbBuilder.create(spec(t, "L2"), 2, DbBuilder.Options.defaults()));
        assertTrue(exists.getMessage().contains("first block is not zero"), exists.getMessage());
        IOException small = assertThrows(IOException.class,
                () -> DbBuilder.create(spec(t, "L1"), 3, DbBuilder.Options.defaults().withForce(true)));
        assertTrue(small.getMessage().contains("the namespace holds"), small.getMessage());
        try (BpfKv db = BpfKv.open(spec(t, "L1"), options())) { // the refusals wrote nothing
            assertArrayEquals(Model.value(30), db.get(30).orElseThrow());
        }
    }

    @Test
    void aZeroedNamespaceIsNoDatabase() throws Exception {
        options();
        NvmfTarget t = target();
        Path zeros = Model.testDir().resolve("spdk-zeros-" + getClass().getSimpleName() + ".db");
        Files.write(zeros, new byte[Math.toIntExact(new TreeLayout(2).fileSizeBytes())]);
        // the copy refuses nothing (the size is a 2-layer file's) and leaves a namespace of zeros
        DbBuilder.copy(zeros, spec(t, "Spare"), DbBuilder.Options.defaults().withForce(true));
        BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> BpfKv.open(spec(t, "Spare"), options()));
        assertTrue(e.getMessage().contains("is not the first node of level 1"), e.getMessage());
        assertEquals(NodeDescriptor.ptrOffset(0), e.offset(), "the root's first child pointer");
    }

    @Test
    void targetKilledMidRunFailsOperationsClearlyAndCloseCompletesEveryFuture() throws Exception {
        BpfKvOptions options = options();
        // a target of its own, over a copy of the 3-layer file: killing it leaves the class's target alone
        Path dir = Model.testDir().resolve("spdk-kill-" + getClass().getSimpleName());
        Files.createDirectories(dir);
        Path copy = dir.resolve("kv3.db");
        Files.copy(Model.database(3), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long seed = Model.seed();
        Random random = new Random(seed);
        try (NvmfTarget victim = NvmfTarget.start(SpdkInstall.find().orElseThrow(), dir,
                List.of(new NvmfTarget.Aio("Aio0", copy, 512)), true)) {
            BpfKv db = BpfKv.open(spec(victim, "Aio0"), options);
            List<CompletableFuture<Optional<byte[]>>> before = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                before.add(db.getAsync(random.nextLong(29_791)));
            }
            victim.kill();
            List<CompletableFuture<Optional<byte[]>>> after = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                after.add(db.getAsync(random.nextLong(29_791)));
            }
            for (CompletableFuture<Optional<byte[]>> f : after) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS),
                        "seed " + seed + ": a lookup after the kill answered");
                assertIoError(e.getCause(), seed);
            }
            for (CompletableFuture<Optional<byte[]>> f : before) {
                try {
                    f.get(60, TimeUnit.SECONDS).orElseThrow(); // answered before the kill: a value
                } catch (ExecutionException e) {
                    assertIoError(e.getCause(), seed);
                }
            }
            IOException sync = assertThrows(IOException.class, () -> db.get(7));
            assertIoError(sync, seed);
            UncheckedIOException range = assertThrows(UncheckedIOException.class, () -> db.range(100, 200).toList(),
                    "a range after the kill");
            assertIoError(range.getCause(), seed);
            assertTrue(db.stats().fallbacks().getOrDefault(Outcome.IO_ERROR, 0L) >= 50, "failures " + db.stats());
            CompletableFuture<Optional<byte[]>> late = db.getAsync(9);
            db.close();
            assertTrue(late.isDone(), "close left a future incomplete");
            for (CompletableFuture<?> f : after) {
                assertTrue(f.isDone());
            }
        }
    }

    /** A failure after the kill: an EngineOutcomeException of a read (the re-check's) or the request, IO_ERROR. */
    private static void assertIoError(Throwable failure, long seed) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof UncheckedIOException u) {
            cause = u.getCause();
        }
        assertTrue(cause instanceof EngineOutcomeException, "seed " + seed + ": " + cause);
        EngineOutcomeException e = (EngineOutcomeException) cause;
        assertEquals(Outcome.IO_ERROR, e.outcome(), "seed " + seed + ": " + e);
        assertTrue(e.getMessage().contains("at byte offset " + e.offset()), e.getMessage());
    }
}
