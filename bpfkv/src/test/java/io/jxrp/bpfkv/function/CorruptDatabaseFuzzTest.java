package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jxrp.ebpf.ExecutionMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lookups on corrupt databases, on every path, against the model ({@link Fuzz}: seeded, time-bounded):
 * a copy of the L=3 database gets a few damaged words, then lookups, scatter-gathers, ranges and
 * aggregates run through the Java functions, the eBPF programs (interpreter and JIT; the engine-free
 * {@link FunctionDriver}, verifying blocks against the sidecar as the engine's target does, falling
 * back to the pread path) and the pread path alone, and through
 * {@link BpfKv} on the real engine. Every answer must be the model's or an error naming the file
 * ({@link BpfKvFormatException}); a wrong value is a failure. Without a sidecar only the index is
 * damaged (value text is only caught by checksums); with one, anything may be.
 *
 * <p>An input is the damage, one {@code offset value} line per word (and {@code sidecar} when the copy
 * keeps its checksums), so a kept failure replays exactly.
 */
@Tag("fuzz")
@Timeout(600)
class CorruptDatabaseFuzzTest {
    private static final TreeLayout L3 = new TreeLayout(3);
    private static final Model MODEL = new Model(3);

    @Test
    void lookupsOnCorruptDatabasesNeverAnswerWrongly() throws Exception {
        Path source = Model.checksummedDatabase(3);
        Path file = Model.testDir().resolve("fuzz-corrupt.db");
        boolean bpf = io.jxrp.testing.Requirements.partlyRequire(BpfFunctions.isAvailable(),
                () -> "the eBPF paths: " + BpfFunctions.unavailabilityCause());
        Map<String, StorageFunctions> paths = new LinkedHashMap<>();
        paths.put("Java functions", StorageFunctions.java(L3, L3.fileSizeBytes()));
        if (bpf) {
            paths.put("eBPF interpreter", BpfFunctions.functions(ExecutionMode.INTERPRETER, BpfFunctions.INSTRUCTION_BUDGET));
            paths.put("eBPF JIT", BpfFunctions.functions(ExecutionMode.JIT, BpfFunctions.INSTRUCTION_BUDGET));
        }
        Fuzz.run(getClass(), "corrupt-database", 40, (random, index) -> damage(random), input -> {
            List<String> lines = Fuzz.lines(input);
            boolean sidecar = lines.contains("sidecar");
            Files.copy(source, file, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(ChecksumDescriptor.sidecarOf(file));
            if (sidecar) {
                Files.copy(ChecksumDescriptor.sidecarOf(source), ChecksumDescriptor.sidecarOf(file));
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (String line : lines) {
                    if (line.equals("sidecar") || line.isEmpty()) {
                        continue;
                    }
                    String[] parts = line.split(" ");
                    ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.parseUnsignedLong(parts[1]));
                    channel.write(word, Long.parseLong(parts[0]));
                }
            }
            Random queries = new Random(lines.hashCode());
            long key = queries.nextLong(MODEL.keyCount);
            BpfKvOptions options = BpfKvOptions.defaults().withCacheLevels(queries.nextInt(3));
            PreadTraversal pread;
            try {
                pread = PreadTraversal.open(file, options);
            } catch (BpfKvFormatException refused) {
                return; // a damaged root, cached level or sidecar: the file is refused whole
            }
            try (pread) {
                for (Map.Entry<String, StorageFunctions> path : paths.entrySet()) {
                    StorageFunctions functions = path.getValue();
                    try (FunctionDriver driver = new FunctionDriver(file, lines.hashCode(), pread.checksums())) {
                        EngineOps ops = new EngineOps(pread, driver, Runnable::run, queries.nextInt(8), queries.nextInt(30), functions);
                        queries(path.getKey() + " through the driver", ops::get, ops::getAll, range -> iterate(ops, range), ops::aggregate, key);
                    }
                }
                queries("pread", pread::get, pread::getAll, range -> iterate(pread.iterator(range)), pread::aggregate, key);
            }
            if (queries.nextInt(4) == 0) { // the real engine too (its verifier, the fallback): slower, so a quarter
                try (BpfKv db = BpfKv.open(file, options.withFunctions(bpf && queries.nextBoolean()
                        ? BpfFunctions.factory(ExecutionMode.JIT) : StorageFunctions.Factory.JAVA))) {
                    queries("BpfKv on the engine", db::get, db::getAll, range -> iterate(db.range(range).iterator()), db::aggregate, key);
                } catch (BpfKvFormatException refused) {
                    // refused at open
                }
            }
        });
    }

    /** A few damaged words near one key's path (its nodes, its value block) or anywhere, with or without a sidecar. */
    static byte[] damage(Random random) {
        boolean sidecar = random.nextBoolean();
        long key = random.nextLong(MODEL.keyCount);
        List<String> lines = new ArrayList<>();
        if (sidecar) {
            lines.add("sidecar");
        }
        int words = 1 + random.nextInt(4);
        for (int w = 0; w < words; w++) {
            long node = switch (random.nextInt(sidecar ? 6 : 5)) {
                case 0 -> 0;
                case 1 -> L3.levelStartBytes(1) + (key / (31 * 31)) * 512;
                case 2, 3 -> L3.leafOffsetOf(key);
                case 4 -> random.nextLong(L3.totalNodes()) * 512;
                default -> L3.valueLogOffset() + (key / 8) * 512; // value text: only a sidecar can tell
            };
            long offset = node + 8L * random.nextInt(64);
            long value = switch (random.nextInt(7)) {
                case 0 -> random.nextLong();
                case 1 -> random.nextLong(L3.fileSizeBytes() + 4096) | (random.nextBoolean() ? 1L << 63 : 0);
                case 2 -> random.nextInt(3);
                case 3 -> MODEL.keyCount / 2 + random.nextInt(1000); // a plausible key
                case 4 -> NodeDescriptor.encode(L3.valueLogOffset() + random.nextLong(MODEL.keyCount + 8) * 64); // a valid slot
                case 5 -> NodeDescriptor.encode(random.nextLong(L3.totalNodes()) * 512); // a valid node
                default -> NodeDescriptor.EMPTY_KEY;
            };
            lines.add(offset + " " + Long.toUnsignedString(value));
        }
        return Fuzz.lines(lines);
    }

    private interface Get {
        Optional<byte[]> get(long key) throws IOException;
    }

    private interface GetAll {
        List<Optional<byte[]>> getAll(long... keys) throws IOException;
    }

    private interface Range {
        List<KeyValue> range(KeyRange range) throws IOException;
    }

    private interface Aggregate {
        io.jxrp.bpfkv.Aggregate aggregate(KeyRange range) throws IOException;
    }

    /** The four operations around {@code key}: each answer is the model's, or a format error. */
    private static void queries(String path, Get get, GetAll getAll, Range range, Aggregate aggregate, long key) throws IOException {
        try {
            Optional<byte[]> value = get.get(key);
            assertArrayEquals(Model.value(key), value.orElseThrow(() -> new AssertionError(path + ": key " + key + " absent")), path + ": get " + key);
        } catch (BpfKvFormatException expected) {
            // reported with its offset
        }
        long near = Math.max(0, key - 20);
        try {
            List<Optional<byte[]>> values = getAll.getAll(key, near, key + 1, 5);
            long[] keys = {key, near, key + 1, 5};
            for (int i = 0; i < keys.length; i++) {
                if (MODEL.contains(keys[i])) {
                    assertArrayEquals(Model.value(keys[i]), values.get(i).orElseThrow(() -> new AssertionError(path + ": absent")),
                            path + ": getAll " + keys[i]);
                }
            }
        } catch (BpfKvFormatException expected) {
            // reported
        }
        KeyRange window = KeyRange.of(near, near + 60);
        try {
            List<KeyValue> pairs = range.range(window);
            List<Long> expected = MODEL.keys(window.begin(), window.end(), false, false);
            assertEquals(expected, pairs.stream().map(KeyValue::key).toList(), path + ": range keys");
            for (KeyValue pair : pairs) {
                assertArrayEquals(Model.value(pair.key()), pair.value(), path + ": range value " + pair.key());
            }
        } catch (BpfKvFormatException expected) {
            // reported
        }
        try {
            io.jxrp.bpfkv.Aggregate sum = aggregate.aggregate(KeyRange.of(near, near + 300));
            long last = Math.min(near + 299, MODEL.keyCount - 1);
            assertEquals(last - near + 1, sum.count(), path + ": aggregate count");
            assertEquals((near + last) * (last - near + 1) / 2, sum.sum(), path + ": aggregate sum");
        } catch (BpfKvFormatException expected) {
            // reported
        }
    }

    private static List<KeyValue> iterate(EngineOps ops, KeyRange range) throws IOException {
        return iterate(ops.iterator(range));
    }

    private static List<KeyValue> iterate(java.util.Iterator<KeyValue> iterator) throws IOException {
        List<KeyValue> pairs = new ArrayList<>();
        try {
            iterator.forEachRemaining(pairs::add);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return pairs;
    }
}
