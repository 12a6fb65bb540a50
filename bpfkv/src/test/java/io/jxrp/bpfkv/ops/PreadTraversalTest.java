package io.jxrp.bpfkv.ops;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pread path against the model, randomized (seed printed; -Dbpfkv.seed=N repeats a run). */
class PreadTraversalTest {
    @ParameterizedTest(name = "L={0} cache={1}")
    @CsvSource({"1,0", "1,1", "2,0", "2,2", "3,0", "3,1", "3,3", "4,0", "4,2", "4,3"})
    void lookupsRangesAndAggregatesMatchTheModel(int layers, int cacheLevels) throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        Model model = new Model(layers);
        try (PreadTraversal db = PreadTraversal.open(Model.database(layers),
                BpfKvOptions.defaults().withCacheLevels(cacheLevels))) {
            assertEquals(layers, db.layout().layers());
            assertEquals(Math.min(cacheLevels, layers), db.cachedLevels());
            String where = "seed " + seed + " L=" + layers + " cache=" + cacheLevels;
            assertTrue(db.direct(), "O_DIRECT reads");

            for (long key : new long[] {0, 1, 30, 31, model.keyCount - 1}) {
                if (!model.contains(key)) {
                    continue;
                }
                assertArrayEquals(Model.value(key), db.get(key).orElseThrow(), where + " key " + key);
            }
            for (long key : new long[] {-2, model.keyCount, model.keyCount + 1, Long.MAX_VALUE, Long.MIN_VALUE}) {
                assertEquals(Optional.empty(), db.get(key), where + " absent key " + key);
            }
            for (int i = 0; i < 300; i++) {
                long key = random.nextLong(model.keyCount);
                assertArrayEquals(Model.value(key), db.get(key).orElseThrow(), where + " key " + key);
            }

            for (int i = 0; i < 60; i++) {
                long begin = random.nextLong(-3, model.keyCount + 3);
                long end = begin + random.nextLong(-2, i % 10 == 0 ? 2_000 : 130);
                boolean beginExclusive = random.nextBoolean();
                boolean endInclusive = random.nextBoolean();
                checkRange(db, model, begin, end, beginExclusive, endInclusive, where);
            }
            if (layers <= 3) {
                checkRange(db, model, 0, model.keyCount, false, false, where + " whole");
            }
            checkRange(db, model, model.keyCount - 40, model.keyCount + 40, false, true, where + " tail");
        }
    }

    private static void checkRange(PreadTraversal db, Model model, long begin, long end, boolean beginExclusive,
                                   boolean endInclusive, String where) throws Exception {
        String what = where + " range " + (beginExclusive ? "(" : "[") + begin + ", " + end + (endInclusive ? "]" : ")");
        List<Long> expectedKeys = model.keys(begin, end, beginExclusive, endInclusive);
        List<KeyValue> actual = db.range(begin, end, beginExclusive, endInclusive).toList();
        assertEquals(expectedKeys.size(), actual.size(), what + " size");
        for (int i = 0; i < actual.size(); i++) {
            assertEquals(expectedKeys.get(i), actual.get(i).key(), what + " key #" + i);
            assertArrayEquals(Model.value(expectedKeys.get(i)), actual.get(i).value(), what + " value #" + i);
        }
        Aggregate aggregate = db.aggregate(new KeyRange(begin, end, beginExclusive, endInclusive));
        long sum = 0;
        for (long key : expectedKeys) {
            sum += key;
        }
        assertEquals(expectedKeys.size(), aggregate.count(), what + " count");
        assertEquals(sum, aggregate.sum(), what + " sum");
        if (!expectedKeys.isEmpty()) {
            assertEquals(expectedKeys.get(0), aggregate.min(), what + " min");
            assertEquals(expectedKeys.get(expectedKeys.size() - 1), aggregate.max(), what + " max");
            assertEquals((double) sum / expectedKeys.size(), aggregate.avg(), 1e-9, what + " avg");
        } else {
            assertTrue(Double.isNaN(aggregate.avg()), what + " avg of nothing");
        }
    }

    @Test
    void concurrentLookupsFromManyThreads() throws Exception {
        long seed = Model.seed();
        Model model = new Model(3);
        try (PreadTraversal db = PreadTraversal.open(Model.database(3), BpfKvOptions.defaults().withCacheLevels(1));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long threadSeed = seed + t;
                results.add(pool.submit(() -> {
                    Random random = new Random(threadSeed);
                    for (int i = 0; i < 200; i++) {
                        long key = random.nextLong(model.keyCount);
                        assertArrayEquals(Model.value(key), db.get(key).orElseThrow(), "seed " + seed + " key " + key);
                    }
                    return 200;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(200, result.get());
            }
        }
    }

    @Test
    void bigLogicalBlockSizeReadsTheEnclosingBlock() throws Exception {
        Model model = new Model(3);
        try (PreadTraversal db = PreadTraversal.open(Model.database(3), BpfKvOptions.defaults().withLogicalBlockSize(4096))) {
            assertEquals(4096, db.readAlignment());
            for (long key : new long[] {0, 12345, model.keyCount - 1}) {
                assertArrayEquals(Model.value(key), db.get(key).orElseThrow());
            }
            assertEquals(100, db.range(500, 600, false, false).count());
        }
    }

    @Test
    void getAllKeepsArgumentOrder() throws Exception {
        try (PreadTraversal db = PreadTraversal.open(Model.database(2), BpfKvOptions.defaults())) {
            List<Optional<byte[]>> values = db.getAll(5, -2, 960, 961);
            assertArrayEquals(Model.value(5), values.get(0).orElseThrow());
            assertTrue(values.get(1).isEmpty());
            assertArrayEquals(Model.value(960), values.get(2).orElseThrow());
            assertTrue(values.get(3).isEmpty());
        }
    }
}
