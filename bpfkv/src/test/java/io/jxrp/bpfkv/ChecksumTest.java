package io.jxrp.bpfkv;

import io.jxrp.bpfkv.check.DeepCheck;
import io.jxrp.bpfkv.check.Scrub;
import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.bpfkv.io.BlockChecksums;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.FaultInjectingBackend;
import io.jxrp.engine.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Block checksums end to end: create writes the sidecar, bpfkv checksum's computation makes the same
 * one, and a damaged block is a {@link BpfKvChecksumException} with its offset on every path (the
 * engine's verifier on uring and java, Java and eBPF functions, and the pread path), never data.
 */
@Timeout(120)
class ChecksumTest {
    private static final TreeLayout L3 = new TreeLayout(3);

    /** A copy of the checksummed L=3 database and its sidecar. */
    private static Path copy(String name) throws IOException {
        Path source = Model.checksummedDatabase(3);
        Path file = Model.testDir().resolve("crc-" + name + ".db");
        Files.copy(source, file, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(ChecksumDescriptor.sidecarOf(source), ChecksumDescriptor.sidecarOf(file), StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            channel.write(b.flip(), offset);
        }
    }

    @Test
    void createWritesTheSidecarAndChecksumComputesTheSameOne() throws Exception {
        Path file = Model.checksummedDatabase(3);
        Path sidecar = ChecksumDescriptor.sidecarOf(file);
        assertEquals(ChecksumDescriptor.sidecarSize(L3.fileSizeBytes()), Files.size(sidecar));
        BlockChecksums found = BlockChecksums.find(file, L3.fileSizeBytes()).orElseThrow();
        assertEquals(L3.totalBlocks(), found.blocks());
        byte[] written = Files.readAllBytes(sidecar);
        Path copy = Model.testDir().resolve("crc-recomputed.db");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(ChecksumDescriptor.sidecarOf(copy));
        BlockChecksums.compute(copy, BlockChecksums.Progress.NONE).write();
        assertArrayEquals(written, Files.readAllBytes(ChecksumDescriptor.sidecarOf(copy)), "byte-identical sidecars");
        assertFalse(Files.exists(ChecksumDescriptor.sidecarOf(copy).resolveSibling(ChecksumDescriptor.sidecarOf(copy).getFileName() + ".tmp")));
        Scrub.Report scrub = Scrub.run(copy, 10, BlockChecksums.Progress.NONE);
        assertTrue(scrub.intact(), scrub.problems().listed().toString());
        assertEquals(L3.totalBlocks(), scrub.blocks());
    }

    /** The in-place CRC (a cached view per native segment) equals the copying one, across slices, arenas and reuse. */
    @Test
    void aBlockCrcInPlaceEqualsTheCopiedOne() {
        java.util.Random random = new java.util.Random(3);
        byte[] bytes = new byte[4096];
        for (int round = 0; round < 50; round++) {
            random.nextBytes(bytes);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment slab = arena.allocate(4096, 4096);
                java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofArray(bytes), 0, slab, 0, 4096);
                for (int b = 0; b < 8; b++) {
                    java.lang.foreign.MemorySegment slot = slab.asSlice((b & 1) * 2048L, 2048);
                    long at = (b >> 1) * 512L;
                    assertEquals(ChecksumDescriptor.crc32c(slot, at, 512), ChecksumDescriptor.blockCrc(slot, at));
                    assertEquals(ChecksumDescriptor.crc32c(java.lang.foreign.MemorySegment.ofArray(bytes), (b & 1) * 2048L + at, 512),
                            ChecksumDescriptor.blockCrc(slot, at));
                }
            } // the next round's arena may get the same address: the cached view must not be used for it
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ENGINE,uring,java", "ENGINE,java,java", "ENGINE,uring,bpf", "PREAD,-,java"})
    void aDamagedBlockIsNeverAnAnswer(BpfKvOptions.Mode mode, String backend, String functions) throws Exception {
        if (backend.equals("uring")) {
            io.jxrp.engine.TestBackends.requireUring();
        }
        if (functions.equals("bpf")) {
            io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        }
        Path file = copy("value-" + mode + "-" + backend + "-" + functions);
        long key = 1000;
        long valueBlock = NodeDescriptor.blockOf(L3.valueOffset(key));
        flipByte(file, L3.valueOffset(key) + 60); // one digit of the value: structurally invisible
        BpfKvOptions options = BpfKvOptions.defaults().withMode(mode)
                .withEngine(EngineOptions.defaults().withBackend(backend.equals("-") ? BackendKind.AUTO : BackendKind.parse(backend)));
        if (functions.equals("bpf")) {
            options = options.withFunctions(BpfFunctions.factory(ExecutionMode.JIT));
        }
        try (BpfKv db = BpfKv.open(file, options)) {
            assertEquals(ChecksumDescriptor.sidecarOf(file), db.checksumSidecar().orElseThrow());
            BpfKvChecksumException e = assertThrows(BpfKvChecksumException.class, () -> db.get(key));
            assertEquals(valueBlock, e.offset(), e.getMessage());
            assertTrue(e.getMessage().contains("block checksum mismatch"), e.getMessage());
            if (mode == BpfKvOptions.Mode.ENGINE) {
                assertEquals(1L, db.stats().fallbacks().get(Outcome.CORRUPT), "the engine's verifier refused the block");
            }
            assertThrows(BpfKvChecksumException.class, () -> db.getAll(3, key, 5));
            UncheckedIOException scan = assertThrows(UncheckedIOException.class, () -> db.range(990, 1010).toList());
            assertTrue(scan.getCause() instanceof BpfKvChecksumException, scan.toString());
            assertThrows(BpfKvChecksumException.class, () -> db.aggregate(KeyRange.of(0, 2000)));
            assertArrayEquals(Model.value(key + 8), db.get(key + 8).orElseThrow(), "other blocks still answer");
            assertEquals(3, db.range(1008, 1011).count());
        }
        // the same file without checksums gives the damaged value: the sidecar is what catches it
        try (BpfKv db = BpfKv.open(file, BpfKvOptions.defaults().withChecksums(BpfKvOptions.Checksums.OFF))) {
            assertFalse(java.util.Arrays.equals(Model.value(key), db.get(key).orElseThrow()));
        }
        Scrub.Report scrub = Scrub.run(file, 10, BlockChecksums.Progress.NONE);
        assertEquals(1, scrub.badBlocks());
        assertEquals(valueBlock, scrub.problems().listed().getFirst().offset());
        DeepCheck.Report deep = DeepCheck.run(file, 0, 10, BlockChecksums.Progress.NONE);
        assertEquals(2, deep.problems().count(), "the checksum and the value text: " + deep.problems().listed());
    }

    @Test
    void aReadCorruptedInFlightIsCorruptNotData() throws Exception {
        Path file = copy("in-flight");
        long leaf = L3.leafOffsetOf(20_000);
        FaultInjectingBackend backend = new FaultInjectingBackend(io.jxrp.engine.TestBackends.uring()).inject(leaf, new FaultInjectingBackend.Fault.Corrupt());
        try (BpfKv db = BpfKv.open(file, BpfKvOptions.defaults(), backend)) {
            // the device returns flipped bytes once per read; the pread path reads the intact file
            assertArrayEquals(Model.value(20_000), db.get(20_000).orElseThrow());
            assertEquals(1L, db.stats().fallbacks().get(Outcome.CORRUPT));
            assertEquals(db.engineStats().orElseThrow().outcomes().get(Outcome.CORRUPT), 1L);
        }
    }

    @Test
    void aDamagedStaleOrMissingSidecarIsAnError() throws Exception {
        Path file = copy("sidecar");
        Path sidecar = ChecksumDescriptor.sidecarOf(file);
        flipByte(sidecar, ChecksumDescriptor.PAGE_SIZE * 2 + 100); // table page 1
        BpfKvFormatException damaged = assertThrows(BpfKvFormatException.class, () -> BpfKv.open(file, BpfKvOptions.defaults()));
        assertTrue(damaged.getMessage().contains("checksum page 1 (blocks 1023..2045) is damaged"), damaged.getMessage());
        Scrub.Report scrub = Scrub.run(file, 10, BlockChecksums.Progress.NONE);
        assertEquals(java.util.List.of(1L), scrub.damagedPages());
        assertEquals(0, scrub.badBlocks(), "its blocks are unverifiable, not bad");
        assertFalse(scrub.intact());
        try (BpfKv db = BpfKv.open(file, BpfKvOptions.defaults().withChecksums(BpfKvOptions.Checksums.OFF))) {
            assertTrue(db.checksumSidecar().isEmpty());
            assertArrayEquals(Model.value(7), db.get(7).orElseThrow());
        }

        Path l2 = Model.testDir().resolve("crc-stale.db");
        Files.copy(Model.database(2), l2, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(ChecksumDescriptor.sidecarOf(Model.checksummedDatabase(3)), ChecksumDescriptor.sidecarOf(l2),
                StandardCopyOption.REPLACE_EXISTING);
        BpfKvFormatException stale = assertThrows(BpfKvFormatException.class, () -> BpfKv.open(l2, BpfKvOptions.defaults()));
        assertTrue(stale.getMessage().contains("belongs to another version"), stale.getMessage());

        Files.delete(ChecksumDescriptor.sidecarOf(l2));
        BpfKvFormatException required = assertThrows(BpfKvFormatException.class,
                () -> BpfKv.open(l2, BpfKvOptions.defaults().withChecksums(BpfKvOptions.Checksums.REQUIRE)));
        assertTrue(required.getMessage().contains("has no checksum sidecar"), required.getMessage());
        assertThrows(NoSuchFileException.class, () -> Scrub.run(l2, 10, BlockChecksums.Progress.NONE));

        Files.writeString(ChecksumDescriptor.sidecarOf(l2), "not a sidecar");
        BpfKvFormatException notOne = assertThrows(BpfKvFormatException.class, () -> BpfKv.open(l2, BpfKvOptions.defaults()));
        assertTrue(notOne.getMessage().contains("ends inside a 4096-byte page") || notOne.getMessage().contains("magic"),
                notOne.getMessage());
    }

    @Test
    void createOverAnOldDatabaseReplacesItsSidecar() throws Exception {
        Path file = copy("recreate");
        byte[] before = Files.readAllBytes(ChecksumDescriptor.sidecarOf(file));
        io.jxrp.bpfkv.io.DbBuilder.create(file, 2, io.jxrp.bpfkv.io.DbBuilder.Options.defaults().withForce(true));
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(ChecksumDescriptor.sidecarOf(file))));
        try (BpfKv db = BpfKv.open(file, BpfKvOptions.defaults().withChecksums(BpfKvOptions.Checksums.REQUIRE))) {
            assertArrayEquals(Model.value(960), db.get(960).orElseThrow());
        }
        io.jxrp.bpfkv.io.DbBuilder.create(file, 2, io.jxrp.bpfkv.io.DbBuilder.Options.defaults().withForce(true)
                .withChecksums(false));
        assertFalse(Files.exists(ChecksumDescriptor.sidecarOf(file)), "an old sidecar never outlives its file");
    }
}
