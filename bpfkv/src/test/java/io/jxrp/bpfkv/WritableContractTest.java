package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.io.DbBuilder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Puts and deletes against a model, once per path (engine on each backend, pread, eBPF functions):
 * randomized rounds of writes with checkpoints in between, every kind of read checked after each
 * round, and readers running throughout that must only ever see a value some write gave that key
 * (never another key's, never a torn one). The seed is printed.
 */
@Timeout(300)
abstract class WritableContractTest {
    /** Read options for this path; skips where the path is unavailable. */
    protected abstract BpfKvOptions options();

    static BpfKvOptions engineOptions(BackendKind backend) {
        return BpfKvOptions.defaults().withEngine(EngineOptions.defaults().withBackend(backend).withQueueDepth(64)
                .withMaxInflightRequests(64).withJavaThreads(2));
    }

    /** Values carry their key: "K:V" with K the key's last six digits, V the write's version. */
    static byte[] value(long key, long version) {
        return (Long.remainderUnsigned(key, 1_000_000) * 1_000_000L + version + "").getBytes(StandardCharsets.US_ASCII);
    }

    static boolean belongsTo(long key, byte[] value) {
        long parsed = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        return parsed / 1_000_000L == Long.remainderUnsigned(key, 1_000_000);
    }

    @Test
    void writesReadsAndCheckpointsMatchTheModel() throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed);
        String where = getClass().getSimpleName() + " seed " + seed;
        NavigableMap<Long, byte[]> model = new TreeMap<>(Long::compareUnsigned);
        List<Long> universe = new ArrayList<>();
        long base = random.nextLong();
        for (int i = 0; i < 6000; i++) {
            long key = i % 5 == 0 ? random.nextLong() : base + i * 7L;
            if (key != NodeDescriptor.EMPTY_KEY) {
                universe.add(key);
            }
        }
        List<KeyValue> initial = new ArrayList<>();
        long version = 0;
        for (int i = 0; i < 2500; i++) {
            long key = universe.get(random.nextInt(universe.size()));
            byte[] v = value(key, ++version);
            initial.add(KeyValue.of(key, v));
            model.put(key, v);
        }
        Path file = Model.testDir().resolve("writable-" + getClass().getSimpleName() + ".db");
        BpfKv.load(file, initial.stream(), DbBuilder.Options.defaults().withForce(true));
        Map<Long, Boolean> everWritten = new ConcurrentHashMap<>();
        model.keySet().forEach(k -> everWritten.put(k, true));

        BpfKvOptions options = options().withWritable(true).withCheckpointEntries(700).withCheckpointOnClose(true);
        try (BpfKv db = BpfKv.open(file, options)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> readerFailure = new AtomicReference<>();
            AtomicLong reads = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                long readerSeed = seed + 100 + r;
                readers.add(Thread.ofPlatform().start(() -> {
                    Random rr = new Random(readerSeed);
                    try {
                        while (!stop.get()) {
                            long key = universe.get(rr.nextInt(universe.size()));
                            switch (rr.nextInt(4)) {
                                case 0 -> db.get(key).ifPresent(v -> check(belongsTo(key, v), "get " + key));
                                case 1 -> db.getAsync(key).join().ifPresent(v -> check(belongsTo(key, v), "getAsync"));
                                case 2 -> {
                                    long previous = 0;
                                    boolean any = false;
                                    try (var pairs = db.range(key, key + 700)) {
                                        for (KeyValue pair : (Iterable<KeyValue>) pairs::iterator) {
                                            check(!any || Long.compareUnsigned(pair.key(), previous) > 0, "range order");
                                            check(belongsTo(pair.key(), pair.value()), "range value of " + pair.key());
                                            any = true;
                                            previous = pair.key();
                                        }
                                    }
                                }
                                default -> db.aggregate(KeyRange.of(key, key + 500));
                            }
                            reads.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        readerFailure.compareAndSet(null, t);
                    }
                }));
            }
            for (int round = 0; round < 10; round++) {
                int batch = 1 + random.nextInt(round % 3 == 0 ? 900 : 120);
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    long key = universe.get(random.nextInt(universe.size()));
                    if (random.nextInt(4) == 0) {
                        writes.add(db.deleteAsync(key));
                        model.remove(key);
                    } else {
                        byte[] v = value(key, ++version);
                        writes.add(db.putAsync(key, v));
                        model.put(key, v);
                        everWritten.put(key, true);
                    }
                }
                CompletableFuture.allOf(writes.toArray(CompletableFuture<?>[]::new)).join();
                checkAgainstModel(db, model, universe, random, where + " round " + round);
            }
            stop.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            if (readerFailure.get() != null) {
                throw new AssertionError(where + ": a concurrent reader saw a wrong answer", readerFailure.get());
            }
            assertTrue(db.checkpoints() > 0, where + ": the rounds crossed a checkpoint");
            assertTrue(reads.get() > 20, where + ": readers ran " + reads.get());
            System.out.println(where + ": " + db.checkpoints() + " checkpoints, " + reads.get() + " concurrent reads");
            assertThrows(IllegalArgumentException.class, () -> db.put(5, new byte[65]));
            assertThrows(IllegalArgumentException.class, () -> db.put(-1L, "x"));
        }
        // closed with a checkpoint: the file alone holds everything, the original's lookup included
        try (BpfKv db = BpfKv.open(file, options())) {
            assertEquals(0, db.pendingWrites(), where);
            assertEquals(model.size(), db.layout().keyCount(), where);
            checkAgainstModel(db, model, universe, random, where + " reopened");
        }
        try (OriginalLookup original = new OriginalLookup(file)) {
            for (Map.Entry<Long, byte[]> e : model.entrySet()) {
                assertArrayEquals(java.util.Arrays.copyOf(e.getValue(), 64), original.get(e.getKey()).orElseThrow(), where);
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void checkAgainstModel(BpfKv db, NavigableMap<Long, byte[]> model, List<Long> universe, Random random,
                                  String where) throws Exception {
        for (int i = 0; i < 200; i++) {
            long key = universe.get(random.nextInt(universe.size()));
            byte[] expected = model.get(key);
            Optional<byte[]> got = db.get(key);
            assertEquals(expected != null, got.isPresent(), where + " get " + Long.toUnsignedString(key));
            if (expected != null) {
                assertArrayEquals(expected, got.get(), where + " get " + Long.toUnsignedString(key));
            }
        }
        long[] keys = new long[45];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = universe.get(random.nextInt(universe.size()));
        }
        List<Optional<byte[]>> values = db.getAll(keys);
        for (int i = 0; i < keys.length; i++) {
            byte[] expected = model.get(keys[i]);
            assertEquals(expected != null, values.get(i).isPresent(), where + " getAll " + keys[i]);
            if (expected != null) {
                assertArrayEquals(expected, values.get(i).get(), where);
            }
        }
        List<Long> sorted = new ArrayList<>(universe);
        sorted.sort(Long::compareUnsigned);
        for (int i = 0; i < 6; i++) {
            long first = sorted.get(random.nextInt(sorted.size()));
            long last = i == 0 ? -2 : first + random.nextInt(5_000);
            if (Long.compareUnsigned(last, first) < 0) {
                last = -2;
            }
            KeyRange range = new KeyRange(first, last, false, true);
            NavigableMap<Long, byte[]> expected = model.subMap(first, true, last, true);
            List<KeyValue> got;
            try (var pairs = db.range(range)) {
                got = pairs.toList();
            }
            assertEquals(expected.size(), got.size(), where + " range " + range);
            int k = 0;
            long sum = 0;
            for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
                assertEquals(e.getKey(), got.get(k).key(), where + " range " + range + " #" + k);
                assertArrayEquals(e.getValue(), got.get(k).value(), where + " range #" + k);
                sum += Long.parseLong(new String(e.getValue(), StandardCharsets.US_ASCII));
                k++;
            }
            Aggregate aggregate = db.aggregate(range);
            assertEquals(expected.size(), aggregate.count(), where + " count " + range);
            assertEquals(sum, aggregate.sum(), where + " sum " + range);
        }
    }

    static List<Long> shuffled(List<Long> keys, Random random) {
        List<Long> copy = new ArrayList<>(keys);
        Collections.shuffle(copy, random);
        return copy;
    }
}
