package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.DbLoader;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.ebpf.ExecutionMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The eBPF programs and the Java functions in lockstep on loaded files: sparse keys over the whole
 * unsigned range (2^63 and above, where a signed comparison goes wrong), partly filled last nodes
 * whose unused slots hold 2^64 - 1, packed levels that are not powers of 31. Every hop identical,
 * every answer the model's. Randomized; the seed is printed.
 */
class SparseLockstepTest {
    @ParameterizedTest(name = "{0} {1} pairs cache={2}")
    @CsvSource({"JIT,40,0", "JIT,1000,1", "JIT,30000,0", "INTERPRETER,977,0", "INTERPRETER,30000,2"})
    void sameHopsAndTheModelsAnswers(ExecutionMode mode, int count, int cacheLevels) throws Exception {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        long seed = Model.seed();
        Random random = new Random(seed);
        NavigableMap<Long, Long> model = new TreeMap<>(Long::compareUnsigned);
        List<KeyValue> pairs = new ArrayList<>();
        long base = random.nextLong();
        for (int i = 0; i < count; i++) {
            long key = random.nextInt(3) == 0 ? random.nextLong() : base + random.nextLong(count * 4L);
            if (key == NodeDescriptor.EMPTY_KEY) {
                continue;
            }
            long value = random.nextLong(1_000_000_000L);
            pairs.add(KeyValue.of(key, Long.toString(value)));
            model.put(key, value);
        }
        Path file = Model.testDir().resolve("sparse-lockstep-" + mode + "-" + count + ".db");
        DbLoader.load(file, pairs.iterator(), DbBuilder.Options.defaults().withForce(true));
        String where = "seed " + seed + " " + mode + " " + count + " pairs cache " + cacheLevels;
        List<String> mismatches = new ArrayList<>();
        try (PreadTraversal pread = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(cacheLevels));
             FunctionDriver driver = new FunctionDriver(file, seed)) {
            StorageFunctions functions = BpfFunctionsTest.lockstep(pread.layout(), mode, mismatches);
            EngineOps ops = new EngineOps(pread, driver, Runnable::run, random.nextInt(50), random.nextInt(500), functions);
            List<Long> keys = new ArrayList<>(model.keySet());
            for (int i = 0; i < 150; i++) {
                long key = keys.get(random.nextInt(keys.size()));
                assertArrayEquals(text(model.get(key)), ops.get(key).orElseThrow(), where + " get " + key);
                long absent = random.nextBoolean() ? key + 1 : random.nextLong();
                if (!model.containsKey(absent) && absent != NodeDescriptor.EMPTY_KEY) {
                    assertEquals(Optional.empty(), ops.get(absent), where + " absent " + Long.toUnsignedString(absent));
                }
            }
            for (int i = 0; i < 20; i++) {
                long[] asked = new long[1 + random.nextInt(40)];
                for (int k = 0; k < asked.length; k++) {
                    asked[k] = random.nextBoolean() ? keys.get(random.nextInt(keys.size())) : random.nextLong() & ~1L;
                }
                List<Optional<byte[]>> values = ops.getAll(asked);
                for (int k = 0; k < asked.length; k++) {
                    Long expected = model.get(asked[k]);
                    assertEquals(expected == null ? Optional.empty().toString() : "present", values.get(k).isPresent()
                            ? "present" : Optional.empty().toString(), where + " getAll " + asked[k]);
                    if (expected != null) {
                        assertArrayEquals(text(expected), values.get(k).orElseThrow(), where);
                    }
                }
            }
            for (int i = 0; i < 25; i++) {
                long first = keys.get(random.nextInt(keys.size())) - random.nextInt(3);
                long last = i % 5 == 0 ? -2 : first + random.nextLong(1, count * 8L);
                if (Long.compareUnsigned(last, first) < 0) {
                    last = -2;
                }
                KeyRange range = new KeyRange(first, last, random.nextBoolean(), true);
                NavigableMap<Long, Long> expected = range.isEmpty() ? new TreeMap<>()
                        : model.subMap(range.first(), true, range.last(), true);
                List<KeyValue> got = EngineOpsChecks.iterate(ops, range);
                assertEquals(expected.size(), got.size(), where + " range " + range);
                int k = 0;
                long sum = 0;
                for (Map.Entry<Long, Long> entry : expected.entrySet()) {
                    assertEquals(entry.getKey(), got.get(k).key(), where + " range " + range + " #" + k);
                    assertArrayEquals(text(entry.getValue()), got.get(k).value(), where);
                    sum += entry.getValue();
                    k++;
                }
                Aggregate aggregate = ops.aggregate(range);
                assertEquals(expected.size(), aggregate.count(), where + " count " + range);
                assertEquals(sum, aggregate.sum(), where + " sum " + range);
                if (!expected.isEmpty()) {
                    assertEquals(expected.values().stream().mapToLong(Long::longValue).min().orElseThrow(), aggregate.min());
                    assertEquals(expected.values().stream().mapToLong(Long::longValue).max().orElseThrow(), aggregate.max());
                }
            }
            assertEquals(Map.of(), ops.fallbacks(), where + " no fallbacks");
        }
        assertTrue(mismatches.isEmpty(), where + ": " + mismatches.size() + " hops differ, first: "
                + mismatches.subList(0, Math.min(5, mismatches.size())));
    }

    private static byte[] text(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
