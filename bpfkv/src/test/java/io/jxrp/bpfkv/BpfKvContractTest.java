package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.Outcome;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The BpfKv API against the model, once per path: the engine on each backend and the pread
 * baseline (one small subclass each). Randomized; the seed is printed.
 */
@Timeout(180)
abstract class BpfKvContractTest {
    /** Options for this path (mode and engine backend); skips the test when the path is unavailable. */
    protected abstract BpfKvOptions options();

    /**
     * Engine outcomes this path may fall back on in a healthy run (the answers are still checked);
     * empty for a path that must answer everything itself.
     */
    protected Set<Outcome> toleratedFallbacks() {
        return Set.of();
    }

    private void assertNoFallbacks(BpfKv db, String where) {
        for (Outcome outcome : db.stats().fallbacks().keySet()) {
            assertTrue(toleratedFallbacks().contains(outcome), where + " unexpected fallbacks " + db.stats());
        }
    }

    /** Opens the database {@code file} holds on this path (a subclass may put it elsewhere, e.g. on a namespace). */
    protected BpfKv open(Path file, BpfKvOptions options) throws java.io.IOException {
        return BpfKv.open(file, options);
    }

    protected boolean engineMode() {
        return options().mode() == BpfKvOptions.Mode.ENGINE;
    }

    static BpfKvOptions engineOptions(BackendKind backend) {
        return BpfKvOptions.defaults().withEngine(EngineOptions.defaults().withBackend(backend).withQueueDepth(64)
                .withMaxInflightRequests(64).withJavaThreads(2));
    }

    @ParameterizedTest(name = "L={0} cache={1}")
    @CsvSource({"1,0", "2,1", "3,0", "3,3", "4,0", "4,2"})
    void operationsMatchTheModel(int layers, int cacheLevels) throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        String where = getClass().getSimpleName() + " seed " + seed + " L=" + layers + " cache=" + cacheLevels;
        try (BpfKv db = open(Model.database(layers), options().withCacheLevels(cacheLevels))) {
            checkAgainstTheModel(db, layers, random, where);
            assertNoFallbacks(db, where);
            assertEquals(engineMode(), db.stats().engineRequests() > 0, where + " engine requests");
        }
    }

    /** A lookup on a closed database still answers its callback, with the failure: a closed loop must not hang. */
    @Test
    void callbackLookupOnAClosedDatabaseHearsOfIt() throws Exception {
        BpfKv db = open(Model.database(2), options());
        db.close();
        CompletableFuture<Throwable> heard = new CompletableFuture<>();
        db.getAsync(5, (value, failure) -> heard.complete(failure));
        assertTrue(heard.get(10, TimeUnit.SECONDS) != null, "the callback got a failure, not a value");
    }

    @Test
    void concurrentUseFromManyThreads() throws Exception {
        long seed = Model.seed();
        Model model = new Model(3);
        try (BpfKv db = open(Model.database(3), options().withCacheLevels(1));
             ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long threadSeed = seed + t;
                int kind = t % 3;
                tasks.add(pool.submit(() -> {
                    Random random = new Random(threadSeed);
                    for (int i = 0; i < 60; i++) {
                        long key = random.nextLong(model.keyCount - 200);
                        switch (kind) {
                            case 0 -> assertArrayEquals(Model.value(key), db.get(key).orElseThrow(), "seed " + seed);
                            case 1 -> assertEquals(100, db.range(key, key + 100).count(), "seed " + seed);
                            default -> assertEquals(50, db.aggregate(KeyRange.of(key, key + 50)).count(), "seed " + seed);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
            assertNoFallbacks(db, "seed " + seed);
        }
    }

    /**
     * This path against the other one on the same file, operation by operation: an engine path against
     * the pread baseline, the pread path against the engine (its automatic backend). Each side must
     * have answered by its own path: the engine side with engine requests and no fallback, the pread
     * side without the engine.
     */
    @Test
    void enginePathAndPreadPathAgree() throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        Path file = Model.database(4);
        BpfKvOptions other = engineMode() ? BpfKvOptions.defaults().withMode(BpfKvOptions.Mode.PREAD)
                : BpfKvOptions.defaults().withCacheLevels(1);
        try (BpfKv db = open(file, options().withCacheLevels(1)); BpfKv otherPath = BpfKv.open(file, other)) {
            BpfKv engine = engineMode() ? db : otherPath;
            BpfKv pread = engineMode() ? otherPath : db;
            for (int i = 0; i < 50; i++) {
                long key = random.nextLong(-10, db.layout().keyCount() + 10);
                // each operation on keys the file holds is answered by engine requests of its own (one
                // for a lookup), so no single operation can pass by answering through pread
                long requests = engine.stats().engineRequests();
                Optional<String> byEngine = engine.get(key).map(KeyValue::valueText);
                boolean held = key >= 0 && key < db.layout().keyCount();
                assertEquals(requests + (held ? 1 : 0), engine.stats().engineRequests(), "seed " + seed + " get " + key
                        + (held ? ": one engine request" : ": absent, answered without one"));
                assertEquals(pread.get(key).map(KeyValue::valueText), byEngine, "seed " + seed + " key " + key);
                long end = key + random.nextInt(300);
                // keys are unsigned: a negative begin is a key of 2^63 or more, so [key, end) is empty then
                boolean holdsSome = !KeyRange.of(key, end).clip(db.layout().keyCount()).isEmpty();
                requests = engine.stats().engineRequests();
                List<String> rangeByEngine = engine.range(key, end).map(KeyValue::toString).toList();
                assertTrue(!holdsSome || engine.stats().engineRequests() > requests, "seed " + seed + " range from " + key
                        + " to " + end + ": by engine requests");
                assertEquals(pread.range(key, end).map(KeyValue::toString).toList(), rangeByEngine,
                        "seed " + seed + " range from " + key);
                requests = engine.stats().engineRequests();
                Aggregate aggregateByEngine = engine.aggregate(KeyRange.of(key, end));
                assertTrue(!holdsSome || engine.stats().engineRequests() > requests, "seed " + seed + " aggregate from "
                        + key + " to " + end + ": by engine requests");
                assertEquals(pread.aggregate(KeyRange.of(key, end)), aggregateByEngine, "seed " + seed + " aggregate from " + key);
            }
            assertTrue(engine.stats().engineRequests() >= 50, "the engine answered: " + engine.stats());
            assertEquals(java.util.Map.of(), engine.stats().fallbacks(), "seed " + seed + ": nothing went to pread");
            assertEquals(0, pread.stats().engineRequests(), "the baseline never used an engine");
        }
    }

    @Test
    void corruptLeafIsReportedWithItsOffset() throws Exception {
        Path file = Model.testDir().resolve("api-corrupt-" + getClass().getSimpleName() + ".db");
        Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
        TreeLayout layout = new TreeLayout(3);
        long leaf = layout.leafOffsetOf(2000);
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 9),
                    leaf + NodeDescriptor.TYPE_OFFSET);
        }
        try (BpfKv db = open(file, options())) {
            BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> db.get(2000));
            assertEquals(leaf + NodeDescriptor.TYPE_OFFSET, e.offset());
            assertTrue(e.getMessage().contains(db.source()) && e.getMessage().contains("node type 9"), e.getMessage());
            assertThrows(UncheckedIOException.class, () -> db.range(1990, 2010).toList());
            assertThrows(BpfKvFormatException.class, () -> db.aggregate(KeyRange.of(1990, 2010)));
            assertArrayEquals(Model.value(20_000), db.get(20_000).orElseThrow());
            assertEquals(engineMode(), db.stats().totalFallbacks() == 3, "fallbacks " + db.stats());
        }
    }

    @Test
    void closeWhileInUseFailsCleanly() throws Exception {
        long seed = Model.seed();
        BpfKv db = open(Model.database(3), options());
        List<Thread> threads = new ArrayList<>();
        List<Throwable> endings = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            long threadSeed = seed + t;
            threads.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(threadSeed);
                running.countDown();
                try {
                    while (true) {
                        long key = random.nextLong(29_791);
                        Optional<byte[]> value = db.get(key);
                        if (!java.util.Arrays.equals(Model.value(key), value.orElseThrow())) {
                            endings.add(new AssertionError("wrong value for " + key));
                            return;
                        }
                    }
                } catch (Throwable e) {
                    endings.add(e);
                }
            }));
        }
        running.await();
        Thread.sleep(50);
        db.close();
        for (Thread thread : threads) {
            thread.join(30_000);
            assertTrue(!thread.isAlive(), "a reader still runs after close");
        }
        assertEquals(4, endings.size());
        for (Throwable ending : endings) {
            assertTrue(ending instanceof java.io.IOException || ending instanceof IllegalStateException,
                    "seed " + seed + ": ended with " + ending);
        }
        assertThrows(Exception.class, () -> db.get(1));
        db.close(); // idempotent
    }

    /**
     * The model checks of one open database of {@code layers} layers: lookups (present and absent;
     * synchronous, future and callback, chained closed loops), scatter-gather lookups, ranges with
     * every flag and aggregates. Also what the NVMe guest suite runs per namespace and backend.
     */
    static void checkAgainstTheModel(BpfKv db, int layers, Random random, String where) throws Exception {
        Model model = new Model(layers);
        assertEquals(layers, db.layout().layers());
        for (int i = 0; i < 150; i++) {
            long key = random.nextLong(model.keyCount);
            assertArrayEquals(Model.value(key), db.get(key).orElseThrow(), where + " get " + key);
        }
        assertEquals(Optional.empty(), db.get(model.keyCount), where);
        assertEquals(Optional.empty(), db.get(-5), where);

        List<CompletableFuture<Optional<byte[]>>> futures = new ArrayList<>();
        long[] asyncKeys = new long[200];
        for (int i = 0; i < asyncKeys.length; i++) {
            asyncKeys[i] = random.nextLong(model.keyCount + 10);
            futures.add(db.getAsync(asyncKeys[i]));
        }
        for (int i = 0; i < asyncKeys.length; i++) {
            Optional<byte[]> value = futures.get(i).join();
            if (model.contains(asyncKeys[i])) {
                assertArrayEquals(Model.value(asyncKeys[i]), value.orElseThrow(), where + " getAsync " + asyncKeys[i]);
            } else {
                assertTrue(value.isEmpty(), where + " getAsync absent " + asyncKeys[i]);
            }
        }

        // the callback form: every key answered exactly once, chained closed loops included
        long[] callbackKeys = new long[200];
        List<CompletableFuture<Optional<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < callbackKeys.length; i++) {
            callbackKeys[i] = random.nextLong(model.keyCount + 10);
            answers.add(new CompletableFuture<>());
        }
        int chains = 8;
        List<Set<String>> chainThreads = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            chainThreads.add(java.util.concurrent.ConcurrentHashMap.newKeySet());
            lookUpChained(db, callbackKeys, answers, c, chains, chainThreads.get(c));
        }
        for (int i = 0; i < callbackKeys.length; i++) {
            Optional<byte[]> value = answers.get(i).get(60, TimeUnit.SECONDS);
            if (model.contains(callbackKeys[i])) {
                assertArrayEquals(Model.value(callbackKeys[i]), value.orElseThrow(), where + " callback " + callbackKeys[i]);
            } else {
                assertTrue(value.isEmpty(), where + " callback absent " + callbackKeys[i]);
            }
        }
        if (db.options().mode() == BpfKvOptions.Mode.ENGINE) {
            // each closed loop stays on the reactor its first lookup went to: no hand-off between reactors
            // (a key known to be absent is answered at once, on the caller's thread: here, for a loop's
            // first key, this one)
            Set<String> reactorThreads = new java.util.HashSet<>();
            for (int c = 0; c < chains; c++) {
                chainThreads.get(c).remove(Thread.currentThread().getName());
                assertEquals(1, chainThreads.get(c).size(), where + " chain " + c + " ran on " + chainThreads.get(c));
                reactorThreads.addAll(chainThreads.get(c));
            }
            assertTrue(reactorThreads.stream().allMatch(t -> t.startsWith("jxrp-reactor-")), where + " " + reactorThreads);
            int reactors = db.options().engine().reactors();
            assertEquals(Math.min(reactors, chains), reactorThreads.size(), where + " chains spread over the reactors: "
                    + reactorThreads);
        }

        for (int i = 0; i < 8; i++) {
            long[] keys = new long[1 + random.nextInt(70)];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = random.nextLong(model.keyCount + 20);
            }
            List<Optional<byte[]>> values = i % 2 == 0 ? db.getAll(keys) : db.getAllAsync(keys).join();
            for (int k = 0; k < keys.length; k++) {
                assertEquals(model.contains(keys[k]), values.get(k).isPresent(), where + " getAll " + keys[k]);
                values.get(k).ifPresent(v -> assertTrue(v.length == 63));
            }
            for (int k = 0; k < keys.length; k++) {
                if (model.contains(keys[k])) {
                    assertArrayEquals(Model.value(keys[k]), values.get(k).orElseThrow(), where + " getAll " + keys[k]);
                }
            }
        }

        for (int i = 0; i < 25; i++) {
            long begin = random.nextLong(-2, model.keyCount + 2);
            long end = begin + random.nextLong(-1, i % 6 == 0 ? 3_000 : 160);
            KeyRange range = new KeyRange(begin, end, random.nextBoolean(), random.nextBoolean());
            String what = where + " " + range;
            List<Long> keys = model.keys(range.begin(), range.end(), range.beginExclusive(), range.endInclusive());
            List<KeyValue> pairs = i % 3 == 0 ? db.rangeAsync(range).join() : db.range(range).toList();
            assertEquals(keys.size(), pairs.size(), what + " size");
            for (int k = 0; k < pairs.size(); k++) {
                assertEquals(keys.get(k), pairs.get(k).key(), what + " key #" + k);
                assertArrayEquals(Model.value(keys.get(k)), pairs.get(k).value(), what + " value #" + k);
            }
            Aggregate aggregate = i % 3 == 1 ? db.aggregateAsync(range).join() : db.aggregate(range);
            assertEquals(keys.size(), aggregate.count(), what + " count");
            assertEquals(keys.stream().mapToLong(Long::longValue).sum(), aggregate.sum(), what + " sum");
            if (!keys.isEmpty()) {
                assertEquals(keys.get(0), aggregate.min(), what + " min");
                assertEquals(keys.get(keys.size() - 1), aggregate.max(), what + " max");
            }
        }
        assertEquals(3L, db.aggregate(0, 3, AggregateOp.SUM), where);
        assertEquals(1.0, db.aggregate(0, 3, AggregateOp.AVG), where);
    }

    /** Looks up keys[i], keys[i + step], ... one after another, each from the previous one's callback. */
    private static void lookUpChained(BpfKv db, long[] keys, List<CompletableFuture<Optional<byte[]>>> answers, int i,
                                      int step, Set<String> threads) {
        if (i >= keys.length) {
            return;
        }
        db.getAsync(keys[i], (value, failure) -> {
            threads.add(Thread.currentThread().getName());
            if (!answers.get(i).complete(value) || failure != null) {
                answers.get(i).obtrudeException(new AssertionError("answered twice, or failed: " + failure));
            }
            lookUpChained(db, keys, answers, i + step, step, threads);
        });
    }
}
