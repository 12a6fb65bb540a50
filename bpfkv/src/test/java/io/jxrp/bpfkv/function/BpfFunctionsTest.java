package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.ebpf.BpfMachine;
import io.jxrp.ebpf.BpfProgram;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.ebpf.Region;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.FunctionRunner;
import io.jxrp.engine.XrpContext;
import io.jxrp.engine.XrpContextDescriptor;
import io.jxrp.engine.bpf.BpfStorageFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The eBPF programs of {@code bpfkv/src/main/bpf} against the Java functions, in lockstep: every
 * hop runs both on the same block with copies of the same scratch, and the return code, done, the
 * 16 next reads and all 4096 scratch bytes must be identical. The eBPF side's results drive the
 * request and are checked against the model too. Randomized; the seed is printed.
 */
@Timeout(300)
class BpfFunctionsTest {
    @BeforeEach
    void needsTheObject() {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
    }

    /** Runs the Java function on a shadow context, then the eBPF one on the real one, and compares. */
    static final class Lockstep implements StorageFunction {
        private final String name;
        private final StorageFunction java;
        private final StorageFunction bpf;
        private final List<String> mismatches;
        private final Arena arena = Arena.ofAuto();
        private final FunctionRunner shadow = new FunctionRunner();
        private final MemorySegment shadowScratch = arena.allocate(XrpContextDescriptor.SCRATCH_SIZE, 4096);
        long hops;
        long errors;

        Lockstep(String name, StorageFunction java, StorageFunction bpf, List<String> mismatches) {
            this.name = name;
            this.java = java;
            this.bpf = bpf;
            this.mismatches = mismatches;
        }

        @Override
        public int apply(XrpContext ctx) {
            hops++;
            // the Java function sees a scratch of the same size as the program's
            MemorySegment shadowView = shadowScratch.asSlice(0, ctx.scratch().byteSize());
            shadowView.copyFrom(ctx.scratch());
            int javaRc;
            try {
                javaRc = shadow.run(java, ctx.data(), ctx.curAddr(), ctx.slot(), shadowView);
            } catch (RuntimeException e) {
                javaRc = BpfStorageFunction.FAULT; // a Java exception where the program faults
            }
            int bpfRc = bpf.apply(ctx);
            String where = name + " hop at offset " + ctx.curAddr() + " slot " + ctx.slot();
            if (javaRc != bpfRc) {
                mismatches.add(where + ": java returned " + javaRc + ", bpf " + bpfRc);
            }
            // the scratch, error hops included: it carries the error code and offset the caller reports
            long differs = shadowView.mismatch(ctx.scratch());
            if (differs >= 0) {
                mismatches.add(where + ": scratch differs first at byte " + differs + " (rc java " + javaRc + ", bpf "
                        + bpfRc + ")");
            }
            if (bpfRc != 0) {
                errors++;
                return bpfRc; // next reads and done do not matter after an error
            }
            if (shadow.isDone() != ctx.isDone()) {
                mismatches.add(where + ": done java " + shadow.isDone() + ", bpf " + ctx.isDone());
            }
            for (int s = 0; s < XrpContextDescriptor.MAX_NEXT; s++) {
                if (shadow.nextAddr(s) != ctx.nextAddr(s) || shadow.nextSize(s) != ctx.nextSize(s)) {
                    mismatches.add(where + ": next[" + s + "] java " + shadow.nextAddr(s) + "/" + shadow.nextSize(s)
                            + ", bpf " + ctx.nextAddr(s) + "/" + ctx.nextSize(s));
                }
            }
            return bpfRc;
        }
    }

    static StorageFunctions lockstep(TreeLayout layout, ExecutionMode mode, List<String> mismatches) throws IOException {
        StorageFunctions java = StorageFunctions.java(layout, layout.fileSizeBytes());
        StorageFunctions bpf = BpfFunctions.factory(mode).create(layout, layout.fileSizeBytes());
        return new StorageFunctions(new Lockstep("get", java.get(), bpf.get(), mismatches),
                new Lockstep("multi_get", java.multiGet(), bpf.multiGet(), mismatches),
                new Lockstep("range", java.range(), bpf.range(), mismatches));
    }

    private static long hops(StorageFunctions functions) {
        return ((Lockstep) functions.get()).hops + ((Lockstep) functions.multiGet()).hops + ((Lockstep) functions.range()).hops;
    }

    private static long errors(StorageFunctions functions) {
        return ((Lockstep) functions.get()).errors + ((Lockstep) functions.multiGet()).errors
                + ((Lockstep) functions.range()).errors;
    }

    private static void assertNoMismatch(List<String> mismatches, String where) {
        assertTrue(mismatches.isEmpty(), where + ": " + mismatches.size() + " hops differ, first: "
                + mismatches.subList(0, Math.min(5, mismatches.size())));
    }

    @ParameterizedTest(name = "{0} L={1} cache={2} pairs/request={3}")
    @CsvSource({"JIT,1,0,0", "JIT,1,1,3", "JIT,2,0,1", "JIT,3,0,7", "JIT,3,3,0", "JIT,4,0,0", "JIT,4,2,5",
            "INTERPRETER,1,0,2", "INTERPRETER,2,2,0", "INTERPRETER,3,1,4", "INTERPRETER,4,0,49", "INTERPRETER,4,4,0"})
    void sameAnswersAsTheJavaFunctionsHopByHop(ExecutionMode mode, int layers, int cacheLevels, int pairsPerRequest)
            throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        Model model = new Model(layers);
        TreeLayout layout = new TreeLayout(layers);
        int cache = Math.min(cacheLevels, Math.min(layers, BpfKvOptions.MAX_CACHE_LEVELS));
        String where = "seed " + seed + " " + mode + " L=" + layers + " cache=" + cache + " pairs=" + pairsPerRequest;
        List<String> mismatches = new ArrayList<>();
        StorageFunctions functions = lockstep(layout, mode, mismatches);
        Path file = Model.database(layers);
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(cache));
             FunctionDriver driver = new FunctionDriver(file, seed)) {
            EngineOps ops = new EngineOps(pread, driver, Runnable::run, pairsPerRequest,
                    pairsPerRequest == 0 ? 0 : pairsPerRequest * 3, functions);
            for (int i = 0; i < 120; i++) {
                long key = i < 5 ? new long[] {0, 1, 30, model.keyCount - 1, model.keyCount / 2}[i] : random.nextLong(model.keyCount);
                assertArrayEquals(Model.value(key), ops.get(key).orElseThrow(), where + " get " + key);
            }
            for (long key : new long[] {-2, model.keyCount, model.keyCount + 40, Long.MAX_VALUE, Long.MIN_VALUE}) {
                assertEquals(Optional.empty(), ops.get(key), where + " absent " + key);
            }
            for (int i = 0; i < 25; i++) {
                int count = 1 + random.nextInt(i < 20 ? 32 : 70); // beyond 32 keys EngineOps splits the request
                long[] keys = new long[count];
                for (int k = 0; k < count; k++) {
                    int kind = random.nextInt(10);
                    keys[k] = kind == 0 ? model.keyCount + random.nextInt(100) : kind == 1 && k > 0 ? keys[k - 1]
                            : kind == 2 ? -2 - random.nextInt(5) : random.nextLong(model.keyCount);
                }
                EngineOpsChecks.checkGetAll(model, keys, ops.getAll(keys), where);
            }
            for (int i = 0; i < 30; i++) {
                long begin = random.nextLong(-3, model.keyCount + 3);
                long end = begin + random.nextLong(-2, i % 8 == 0 ? 1_200 : 140);
                EngineOpsChecks.checkRange(ops, model, new KeyRange(begin, end, random.nextBoolean(), random.nextBoolean()), where);
            }
            if (layers <= 2) {
                EngineOpsChecks.checkRange(ops, model, KeyRange.of(0, model.keyCount), where + " whole");
            }
            EngineOpsChecks.checkRange(ops, model, new KeyRange(model.keyCount - 70, model.keyCount + 5, true, true), where + " tail");
            assertEquals(Map.of(), ops.fallbacks(), where + " no fallbacks");
        }
        assertNoMismatch(mismatches, where);
        assertTrue(hops(functions) > 300, where + " hops compared: " + hops(functions));
        System.out.println(where + ": " + hops(functions) + " hops identical");
    }

    /** The same corrupt leaf as StorageFunctionTest: the same function errors, fallbacks and reports. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"JIT", "INTERPRETER"})
    void corruptNodeGivesTheSameOutcomeAndFallback(ExecutionMode mode) throws Exception {
        Path file = Model.testDir().resolve("bpf-functions-corrupt.db");
        Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
        TreeLayout layout = new TreeLayout(3);
        long leaf = layout.leafOffsetOf(1000);
        writeWord(file, leaf + NodeDescriptor.TYPE_OFFSET, 7);
        List<String> mismatches = new ArrayList<>();
        StorageFunctions functions = lockstep(layout, mode, mismatches);
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults());
             FunctionDriver driver = new FunctionDriver(file, 3)) {
            EngineOps ops = new EngineOps(pread, driver, Runnable::run, 0, 0, functions);
            BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> ops.get(1000));
            assertEquals(leaf + NodeDescriptor.TYPE_OFFSET, e.offset());
            assertEquals(Map.of(Outcome.FUNCTION_ERROR, 1L), ops.fallbacks());
            assertThrows(BpfKvFormatException.class, () -> ops.getAll(5, 1000, 7));
            UncheckedIOException scan = assertThrows(UncheckedIOException.class,
                    () -> ops.iterator(KeyRange.of(900, 1100)).forEachRemaining(pair -> { }));
            assertTrue(scan.getCause() instanceof BpfKvFormatException, scan.toString());
            assertThrows(BpfKvFormatException.class, () -> ops.aggregate(KeyRange.of(0, 2000)));
            assertEquals(4L, ops.fallbacks().get(Outcome.FUNCTION_ERROR));
            assertArrayEquals(Model.value(5000), ops.get(5000).orElseThrow(), "the rest of the tree still answers");
        }
        assertNoMismatch(mismatches, mode + " corrupt leaf");
        assertEquals(4, errors(functions), "one function error per operation that met the leaf");
    }

    /**
     * Random words of random index nodes and value blocks overwritten (types, keys, pointers, next
     * words, value text): every hop still gives the Java function's answer, error code included,
     * and whatever the outcome the operations end (an answer, or the pread path's report).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"JIT", "INTERPRETER"})
    void randomCorruptionGivesTheSameOutcomes(ExecutionMode mode) throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        TreeLayout layout = new TreeLayout(3);
        Model model = new Model(3);
        Path file = Model.testDir().resolve("bpf-functions-fuzz-" + mode + ".db");
        List<String> mismatches = new ArrayList<>();
        StorageFunctions functions = lockstep(layout, mode, mismatches);
        for (int round = 0; round < 12; round++) {
            Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
            long targetKey = random.nextLong(model.keyCount);
            for (int c = 0; c < 3; c++) {
                long node = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> layout.levelStartBytes(1) + (targetKey / (31 * 31)) * 512;
                    case 2 -> layout.leafOffsetOf(targetKey);
                    default -> layout.valueLogOffset() + (targetKey / 8) * 512;
                };
                int word = random.nextInt(64);
                long value = switch (random.nextInt(6)) {
                    case 0 -> random.nextLong();
                    case 1 -> random.nextLong(layout.fileSizeBytes() + 4096) | (random.nextBoolean() ? 1L << 63 : 0);
                    case 2 -> random.nextInt(3);
                    case 3 -> readWord(file, node + word * 8L) ^ (1L << random.nextInt(64));
                    case 4 -> 0x2020202020202020L ^ ((long) random.nextInt(256) << (8 * random.nextInt(8)));
                    default -> (random.nextLong(layout.totalNodes()) * 512) | (random.nextBoolean() ? 1L << 63 : 0);
                };
                writeWord(file, node + word * 8L, value);
            }
            if (round == 0) {
                writeWord(file, layout.leafOffsetOf(targetKey) + NodeDescriptor.TYPE_OFFSET, 5); // at least one sure catch
            }
            long near = Math.max(0, targetKey - 40);
            try (FunctionDriver driver = new FunctionDriver(file, seed + round)) {
                // the requests themselves (a corrupt root would stop PreadTraversal.open below)
                GetFunction get = new GetFunction(layout, layout.fileSizeBytes());
                MultiGetFunction multiGet = new MultiGetFunction(layout, layout.fileSizeBytes());
                RangeScanFunction range = new RangeScanFunction(layout, layout.fileSizeBytes());
                driver.run(get.request(functions.get(), targetKey, 0));
                driver.run(multiGet.request(functions.multiGet(), new long[] {targetKey, near, 5, targetKey},
                        new long[] {0, 0, 0, 0}));
                driver.run(range.request(functions.range(), false, near, near + 100, 0, 0));
                driver.run(range.request(functions.range(), true, near, near + 600, 0, 0));
            }
            PreadTraversal pread;
            try {
                pread = PreadTraversal.open(file, BpfKvOptions.defaults());
            } catch (BpfKvFormatException e) {
                continue; // a corrupt root: the file does not open, so there is no EngineOps to try
            }
            try (pread; FunctionDriver driver = new FunctionDriver(file, seed + round)) {
                EngineOps ops = new EngineOps(pread, driver, Runnable::run, random.nextInt(8), random.nextInt(30), functions);
                attempt(() -> ops.get(targetKey));
                attempt(() -> ops.getAll(targetKey, near, targetKey + 1, 3, targetKey));
                attempt(() -> {
                    ops.iterator(KeyRange.of(near, near + 120)).forEachRemaining(pair -> { });
                    return null;
                });
                attempt(() -> ops.aggregate(KeyRange.of(near, near + 400)));
            }
            assertNoMismatch(mismatches, "seed " + seed + " " + mode + " round " + round);
        }
        assertTrue(errors(functions) > 0, "some corruptions were caught by the functions");
        System.out.println("seed " + seed + " " + mode + ": " + hops(functions) + " hops identical, " + errors(functions)
                + " function errors");
    }

    /** Runs a program as BpfStorageFunction does, on its own machine, and keeps the longest run's instruction count. */
    static final class Counting implements StorageFunction {
        private final BpfProgram program;
        private final BpfMachine vm = new BpfMachine(ExecutionMode.INTERPRETER);
        long maxInstructions;

        Counting(String section) throws IOException {
            this.program = BpfFunctions.program(section);
        }

        @Override
        public int apply(XrpContext ctx) {
            vm.bind(Region.CONTEXT, ctx.record());
            vm.bind(Region.DATA, ctx.data());
            vm.bind(Region.SCRATCH, ctx.scratch());
            ctx.record().set(ScratchDescriptor.U64, XrpContextDescriptor.DATA_OFFSET, vm.address(Region.DATA));
            ctx.record().set(ScratchDescriptor.U64, XrpContextDescriptor.SCRATCH_OFFSET, vm.address(Region.SCRATCH));
            int rc = (int) vm.run(program, vm.address(Region.CONTEXT));
            maxInstructions = Math.max(maxInstructions, vm.lastInstructionCount());
            return rc;
        }
    }

    /**
     * The instruction budget is a backstop only: ordinary hops run a few hundred to a few thousand
     * instructions, and the costliest hop any file can cause (an aggregate's value block that all
     * 492 entries point into, every value parsed) stays below it, so a hop the Java function
     * completes never faults on the budget.
     */
    @Test
    void hopsStayFarBelowTheInstructionBudget() throws Exception {
        Counting get = new Counting(BpfFunctions.GET_SECTION);
        Counting multiGet = new Counting(BpfFunctions.MULTI_GET_SECTION);
        Counting range = new Counting(BpfFunctions.RANGE_SECTION);
        Path file = Model.database(3);
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults());
             FunctionDriver driver = new FunctionDriver(file, 5)) {
            EngineOps ops = new EngineOps(pread, driver, Runnable::run, 0, 0, new StorageFunctions(get, multiGet, range));
            ops.get(12_345);
            ops.getAll(1, 2, 3, 29_000, 17, 5_000, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22);
            assertEquals(2_000, ops.aggregate(KeyRange.of(1_000, 3_000)).count());
            ops.iterator(KeyRange.of(1_000, 3_000)).forEachRemaining(pair -> { });
        }
        System.out.printf("longest hop: get %d, multi_get %d, range %d instructions%n", get.maxInstructions,
                multiGet.maxInstructions, range.maxInstructions);
        // a leaf hop checks all 31 keys (order, the parent's bounds) and then searches them: about 1,000
        assertTrue(Math.max(get.maxInstructions, multiGet.maxInstructions) < 1_500, "lookups: about a thousand per hop at most");
        assertTrue(range.maxInstructions < 20_000, "range hops: " + range.maxInstructions);

        // the worst case: 492 aggregate entries in one value block of 8 values, each parsed
        TreeLayout layout = new TreeLayout(3);
        try (Arena arena = Arena.ofConfined()) {
            FunctionRunner runner = new FunctionRunner();
            MemorySegment scratch = arena.allocate(XrpContextDescriptor.SCRATCH_SIZE, 4096);
            ScratchDescriptor.writeParams(scratch, layout, layout.fileSizeBytes());
            scratch.set(ScratchDescriptor.U32, ScratchDescriptor.RANGE_MODE, ScratchDescriptor.MODE_AGGREGATE);
            int entries = ScratchDescriptor.MAX_AGGREGATE_ENTRIES;
            scratch.set(ScratchDescriptor.U32, ScratchDescriptor.RANGE_CAPACITY, entries);
            scratch.set(ScratchDescriptor.U32, ScratchDescriptor.RANGE_ASSIGNED, entries);
            long block = layout.valueLogOffset();
            for (int i = 0; i < entries; i++) {
                scratch.set(ScratchDescriptor.U64, ScratchDescriptor.aggregateEntryOffset(i), block + (i % 8) * 64L);
            }
            MemorySegment data = arena.allocate(512);
            for (int v = 0; v < 8; v++) {
                byte[] text = new byte[64];
                java.util.Arrays.fill(text, 0, 62, (byte) '0'); // 63 digits to parse, and the sum cannot overflow
                text[62] = '7';
                MemorySegment.copy(MemorySegment.ofArray(text), 0, data, v * 64L, 64);
            }
            Counting worst = new Counting(BpfFunctions.RANGE_SECTION);
            assertEquals(0, runner.run(worst, data, block, 1, scratch));
            runner.close();
            assertEquals(entries * 7L, scratch.get(ScratchDescriptor.U64, ScratchDescriptor.RANGE_SUM));
            System.out.println("worst-case range hop: " + worst.maxInstructions + " instructions, budget "
                    + BpfFunctions.INSTRUCTION_BUDGET);
            assertTrue(worst.maxInstructions < BpfFunctions.INSTRUCTION_BUDGET * 3 / 4, "worst case " + worst.maxInstructions);
        }
    }

    @Test
    void theObjectHoldsThreeVerifiedPrograms() throws Exception {
        assertEquals(3, BpfFunctions.object().programs().size(), BpfFunctions.object().toString());
        for (String section : new String[] {BpfFunctions.GET_SECTION, BpfFunctions.MULTI_GET_SECTION, BpfFunctions.RANGE_SECTION}) {
            assertTrue(BpfFunctions.program(section).slotCount() > 0, section);
        }
        assertEquals(ExecutionMode.INTERPRETER, BpfFunctions.parseMode("interp"));
        assertThrows(IllegalArgumentException.class, () -> BpfFunctions.parseMode("fast"));
        assertNull(BpfFunctions.unavailabilityCause());
    }

    private interface Operation {
        Object run() throws IOException;
    }

    private static void attempt(Operation operation) {
        try {
            operation.run();
        } catch (IOException | RuntimeException e) {
            // the pread path reports the corruption; the lockstep comparison is what counts here
        }
    }

    private static void writeWord(Path file, long offset, long value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
        }
    }

    private static long readWord(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(buffer, offset);
            return buffer.getLong(0);
        }
    }
}
