package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.Outcome;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A set of storage functions driven by hand ({@link FunctionDriver}: completions in random order),
 * through {@link EngineOps}, against the model: every implementation of BPF-KV's scratch ABI
 * (the Java functions, the eBPF programs) gets a small subclass. Randomized; the seed is printed.
 */
@Timeout(120)
abstract class StorageFunctionContractTest {
    /** The functions under test for a file of {@code layout}; skips the test when they are unavailable. */
    protected abstract StorageFunctions functions(TreeLayout layout, long fileSizeBytes) throws IOException;

    private EngineOps ops(PreadTraversal pread, FunctionDriver driver, int pairs, int aggregateEntries) throws IOException {
        return new EngineOps(pread, driver, Runnable::run, pairs, aggregateEntries,
                functions(pread.layout(), pread.fileSizeBytes()));
    }

    @ParameterizedTest(name = "L={0} cache={1} pairs/request={2}")
    @CsvSource({"1,0,0", "1,1,3", "2,0,1", "2,2,0", "3,0,7", "3,1,0", "3,3,2", "4,0,0", "4,2,5", "4,3,49"})
    void everyOperationMatchesTheModel(int layers, int cacheLevels, int pairsPerRequest) throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        Model model = new Model(layers);
        String where = "seed " + seed + " L=" + layers + " cache=" + cacheLevels + " pairs=" + pairsPerRequest;
        Path file = Model.database(layers);
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(cacheLevels));
             FunctionDriver driver = new FunctionDriver(file, seed)) {
            EngineOps ops = ops(pread, driver, pairsPerRequest, pairsPerRequest == 0 ? 0 : pairsPerRequest * 3);
            for (int i = 0; i < 200; i++) {
                long key = i < 5 ? new long[] {0, 1, 30, model.keyCount - 1, model.keyCount / 2}[i] : random.nextLong(model.keyCount);
                assertArrayEquals(Model.value(key), ops.get(key).orElseThrow(), where + " get " + key);
                assertArrayEquals(Model.value(key), ops.getAsync(key).join().orElseThrow(), where + " getAsync " + key);
            }
            for (long key : new long[] {-2, model.keyCount, Long.MAX_VALUE}) {
                assertEquals(Optional.empty(), ops.get(key), where + " absent " + key);
            }

            for (int i = 0; i < 20; i++) {
                int count = 1 + random.nextInt(i < 10 ? 32 : 70);
                long[] keys = new long[count];
                for (int k = 0; k < count; k++) {
                    int kind = random.nextInt(10);
                    keys[k] = kind == 0 ? model.keyCount + random.nextInt(100) : kind == 1 && k > 0 ? keys[k - 1]
                            : random.nextLong(model.keyCount);
                }
                EngineOpsChecks.checkGetAll(model, keys, ops.getAll(keys), where);
            }

            for (int i = 0; i < 40; i++) {
                long begin = random.nextLong(-3, model.keyCount + 3);
                long end = begin + random.nextLong(-2, i % 8 == 0 ? 1_500 : 140);
                KeyRange range = new KeyRange(begin, end, random.nextBoolean(), random.nextBoolean());
                EngineOpsChecks.checkRange(ops, model, range, where);
            }
            if (layers <= 2) {
                EngineOpsChecks.checkRange(ops, model, KeyRange.of(0, model.keyCount), where + " whole");
            }
            EngineOpsChecks.checkRange(ops, model, new KeyRange(model.keyCount - 70, model.keyCount + 5, true, true), where + " tail");
            assertEquals(Map.of(), ops.fallbacks(), where + " no fallbacks");
            assertTrue(ops.requests() > 0);
        }
    }

    @Test
    void lookupIsOneRequestOfLPlusOneReads() throws Exception {
        Path file = Model.database(4);
        TreeLayout layout = new TreeLayout(4);
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(2));
             FunctionDriver driver = new FunctionDriver(file, 1)) {
            GetFunction requests = new GetFunction(layout, layout.fileSizeBytes());
            StorageFunction function = functions(layout, layout.fileSizeBytes()).get();
            XrpResult<Optional<byte[]>> full = driver.run(requests.request(function, 123_456, 0));
            assertEquals(Outcome.OK, full.outcome());
            assertEquals(5, full.hops(), "4 index levels and the value block");
            assertArrayEquals(Model.value(123_456), full.value().orElseThrow());
            XrpResult<Optional<byte[]>> cached = driver.run(requests.request(function, 123_456,
                    pread.firstUncachedOffset(123_456)));
            assertEquals(3, cached.hops(), "2 cached levels skipped");
            assertArrayEquals(Model.value(123_456), cached.value().orElseThrow());
        }
    }

    @Test
    void scatterGatherAndRangesFanOut() throws Exception {
        Path file = Model.database(3);
        Model model = new Model(3);
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults());
             FunctionDriver driver = new FunctionDriver(file, 2)) {
            EngineOps ops = ops(pread, driver, 0, 0);
            long[] keys = new long[32];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i * 900L;
            }
            long before = ops.requests();
            List<Optional<byte[]>> values = ops.getAll(keys);
            assertEquals(1, ops.requests() - before, "32 keys, one request");
            assertEquals(16, driver.maxParallelReads, "16 branches in flight");
            for (int i = 0; i < keys.length; i++) {
                assertArrayEquals(Model.value(keys[i]), values.get(i).orElseThrow());
            }
            driver.maxParallelReads = 0;
            before = ops.requests();
            assertEquals(model.keys(0, 49, false, false).size(), EngineOpsChecks.iterate(ops, KeyRange.of(0, 49)).size());
            assertEquals(1, ops.requests() - before, "49 pairs fit one request");
            assertTrue(driver.maxParallelReads >= 5, "a leaf's value blocks and the next leaf in parallel: "
                    + driver.maxParallelReads);
            before = ops.requests();
            assertEquals(1_000, ops.aggregate(KeyRange.of(5_000, 6_000)).count());
            assertEquals(3, ops.requests() - before, "492 values per aggregate request");
        }
    }

    @Test
    void corruptNodesFallBackAndReportTheOffset() throws Exception {
        Path file = Model.testDir().resolve("functions-corrupt.db");
        Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
        TreeLayout layout = new TreeLayout(3);
        long leaf = layout.leafOffsetOf(1000);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 7), leaf + NodeDescriptor.TYPE_OFFSET);
        }
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults());
             FunctionDriver driver = new FunctionDriver(file, 3)) {
            EngineOps ops = ops(pread, driver, 0, 0);
            BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> ops.get(1000));
            assertEquals(leaf + NodeDescriptor.TYPE_OFFSET, e.offset());
            assertEquals(Map.of(Outcome.FUNCTION_ERROR, 1L), ops.fallbacks());
            assertThrows(BpfKvFormatException.class, () -> ops.getAll(5, 1000, 7));
            UncheckedIOException scan = assertThrows(UncheckedIOException.class, () -> EngineOpsChecks.iterate(ops, KeyRange.of(900, 1100)));
            assertTrue(scan.getCause() instanceof BpfKvFormatException, scan.toString());
            assertThrows(BpfKvFormatException.class, () -> ops.aggregate(KeyRange.of(0, 2000)));
            assertEquals(4L, ops.fallbacks().get(Outcome.FUNCTION_ERROR));
            assertArrayEquals(Model.value(5000), ops.get(5000).orElseThrow(), "the rest of the tree still answers");
            assertEquals(100, EngineOpsChecks.iterate(ops, KeyRange.of(0, 100)).size(), "scans that avoid the bad leaf still work");
        }
    }

    /**
     * The damage the adversarial campaign turned into wrong answers (issue 15), every one caught by
     * the functions (a FUNCTION_ERROR, never data) and reported by the pread path with its offset:
     * a value pointer moved to another valid 64-byte slot by one bit flip, a value pointer into the
     * padding after the last key, two keys swapped in a leaf, a key outside its parent's separators.
     */
    @ParameterizedTest(name = "{0} cache={1}")
    @CsvSource({"moved-pointer,0", "padding-pointer,0", "swapped-keys,0", "separator,0", "moved-pointer,1",
            "separator,2"})
    void damageThatUsedToAnswerIsCaughtOnEveryPath(String damage, int cacheLevels) throws Exception {
        Path file = Model.testDir().resolve("functions-" + damage + "-" + getClass().getSimpleName() + ".db");
        Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
        TreeLayout layout = new TreeLayout(3);
        long last = layout.keyCount() - 1;
        long key = damage.equals("padding-pointer") ? last : 1000;
        long leaf = layout.leafOffsetOf(key);
        int index = (int) (key % NodeDescriptor.FANOUT);
        long expectedOffset;
        String problem;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            switch (damage) {
                case "moved-pointer" -> { // bit 6 flipped: the next value's slot, valid and aligned
                    long slot = leaf + NodeDescriptor.ptrOffset(index);
                    write(channel, slot, NodeDescriptor.encode(layout.valueOffset(key) ^ 64));
                    expectedOffset = slot;
                    problem = "not to the key's own slot";
                }
                case "padding-pointer" -> { // the last key's pointer into the padding of the last block
                    long slot = leaf + NodeDescriptor.ptrOffset(index);
                    write(channel, slot, NodeDescriptor.encode(layout.valueOffset(key) + 64));
                    expectedOffset = slot;
                    problem = "not to the key's own slot";
                }
                case "swapped-keys" -> { // keys 1000 and 1001 change places (pointers stay)
                    write(channel, leaf + NodeDescriptor.keyOffset(index), key + 1);
                    write(channel, leaf + NodeDescriptor.keyOffset(index + 1), key);
                    expectedOffset = leaf + NodeDescriptor.keyOffset(index + 1);
                    problem = "does not ascend";
                }
                default -> { // the leaf's first key below the separator that leads to it
                    long first = leaf + NodeDescriptor.keyOffset(0);
                    write(channel, first, (key / NodeDescriptor.FANOUT) * NodeDescriptor.FANOUT - 1);
                    expectedOffset = first;
                    problem = "the range its parent's separators give";
                }
            }
        }
        // with 2 cached levels the leaf's bounds come from the cached parent, through the request's scratch
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(cacheLevels));
             FunctionDriver driver = new FunctionDriver(file, 6)) {
            EngineOps ops = ops(pread, driver, 0, 0);
            BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> ops.get(key), damage);
            assertEquals(expectedOffset, e.offset(), e.getMessage());
            assertTrue(e.problem().contains(problem), e.getMessage());
            assertEquals(Map.of(Outcome.FUNCTION_ERROR, 1L), ops.fallbacks(), "the function refused it, no OK answer");
            assertThrows(BpfKvFormatException.class, () -> ops.getAll(5, key, 7));
            assertEquals(2L, ops.fallbacks().get(Outcome.FUNCTION_ERROR));
            UncheckedIOException scan = assertThrows(UncheckedIOException.class,
                    () -> EngineOpsChecks.iterate(ops, KeyRange.of(key - 20, key + 1)));
            assertTrue(scan.getCause() instanceof BpfKvFormatException, scan.toString());
            assertThrows(BpfKvFormatException.class, () -> ops.aggregate(KeyRange.of(key - 20, key + 1)));
            assertEquals(4L, ops.fallbacks().get(Outcome.FUNCTION_ERROR), "every operation's function caught it");
            assertArrayEquals(Model.value(5000), ops.get(5000).orElseThrow(), "the rest of the tree still answers");
        }
    }

    private static void write(FileChannel channel, long offset, long value) throws IOException {
        channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
    }

    @Test
    void aKeyTheIndexLosesIsAnErrorNotAbsent() throws Exception {
        Path file = Model.testDir().resolve("functions-lost-key.db");
        Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            // root key[1] = 1: keys 1..960 descend into child 1's subtree, where they are not
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1), NodeDescriptor.keyOffset(1));
        }
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults());
             FunctionDriver driver = new FunctionDriver(file, 4)) {
            EngineOps ops = ops(pread, driver, 0, 0);
            BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> ops.get(500));
            assertTrue(e.problem().contains("key 500 is missing"), e.getMessage());
            assertThrows(BpfKvFormatException.class, () -> ops.getAll(0, 500));
            java.util.concurrent.CompletionException async = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> ops.getAsync(500).join());
            assertTrue(async.getCause() instanceof BpfKvFormatException, async.toString());
            assertThrows(UncheckedIOException.class, () -> EngineOpsChecks.iterate(ops, KeyRange.of(500, 600)));
            assertThrows(BpfKvFormatException.class, () -> ops.aggregate(KeyRange.of(500, 600)));
            assertEquals(4L, ops.fallbacks().get(Outcome.OK), "OK answers that failed the density check");
            // key 0's branch: child 0 holds keys 0..960 where the root's separators give it [0, 1)
            assertEquals(1L, ops.fallbacks().get(Outcome.FUNCTION_ERROR), "the separator check caught key 0's branch");
            UncheckedIOException scan = assertThrows(UncheckedIOException.class, () -> EngineOpsChecks.iterate(ops, KeyRange.of(0, 100)));
            assertTrue(scan.getCause().getMessage().contains("outside [0, 1)"), scan.getCause().getMessage());
            assertEquals(2L, ops.fallbacks().get(Outcome.FUNCTION_ERROR));
        }
    }
}
