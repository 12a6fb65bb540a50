package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.OriginalLookup;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bulk load: the packed layout, the duplicate rule, the errors, and the original's lookups on what it writes. */
class DbLoaderTest {
    /** Keys 0 .. 31^L - 1 with create's values, in any order: create's file (the padding slots aside). */
    @ParameterizedTest(name = "L={0}")
    @CsvSource({"1", "2", "3"})
    void denseKeysGiveCreatesFile(int layers) throws Exception {
        long seed = Model.seed();
        Model model = new Model(layers);
        List<KeyValue> pairs = new ArrayList<>();
        for (long k = 0; k < model.keyCount; k++) {
            pairs.add(KeyValue.of(k, Model.value(k)));
        }
        Collections.shuffle(pairs, new Random(seed));
        Path file = Model.testDir().resolve("loader-dense-L" + layers + ".db");
        DbLoader.Result result = DbLoader.load(file, pairs.iterator(), DbBuilder.Options.defaults().withForce(true)
                .withBuffers(8192, 2));
        assertEquals(new TreeLayout(layers), result.build().layout());
        assertEquals(0, result.duplicates());
        byte[] expected = model.fileBytes();
        byte[] actual = Files.readAllBytes(file);
        assertEquals(expected.length, actual.length, "size");
        long meaningful = new TreeLayout(layers).valueOffsetOfRank(model.keyCount);
        assertEquals(-1, Arrays.mismatch(expected, 0, (int) meaningful, actual, 0, (int) meaningful), "seed " + seed);
    }

    /**
     * Random key sets over the whole unsigned range (keys of 2^63 and more included), duplicates,
     * values of 0..64 bytes: the original's lookup finds every key with its value as stored, and
     * BpfKv (engine and pread) agrees with the model.
     */
    @ParameterizedTest(name = "{0} pairs")
    @CsvSource({"0", "1", "31", "32", "962", "5000", "40000"})
    void sparseKeysAreFoundByTheOriginalsLookup(int count) throws Exception {
        long seed = Model.seed();
        Random random = new Random(seed + count);
        TreeMap<Long, byte[]> model = new TreeMap<>(Long::compareUnsigned);
        List<KeyValue> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long key = switch (random.nextInt(4)) {
                case 0 -> random.nextLong(1_000);
                case 1 -> -2 - random.nextInt(1_000);        // just below 2^64 - 1
                case 2 -> Long.MIN_VALUE + random.nextInt(1_000); // around 2^63
                default -> random.nextLong();
            };
            if (key == NodeDescriptor.EMPTY_KEY) {
                key = 7;
            }
            byte[] value = randomValue(random);
            pairs.add(KeyValue.of(key, value));
            model.put(key, value);
        }
        Path file = Model.testDir().resolve("loader-sparse-" + count + ".db");
        DbLoader.Result result = DbLoader.load(file, pairs.iterator(), DbBuilder.Options.defaults().withForce(true));
        assertEquals(model.size(), result.build().layout().keyCount());
        assertEquals(count - model.size(), result.duplicates());
        String where = "seed " + seed + " " + count + " pairs";
        try (OriginalLookup original = new OriginalLookup(file)) {
            for (Map.Entry<Long, byte[]> entry : model.entrySet()) {
                assertArrayEquals(Arrays.copyOf(entry.getValue(), 64), original.get(entry.getKey()).orElseThrow(),
                        where + " original get -k " + Long.toUnsignedString(entry.getKey()));
            }
            for (int i = 0; i < 200; i++) {
                long key = random.nextLong();
                if (!model.containsKey(key) && key != NodeDescriptor.EMPTY_KEY) {
                    assertEquals(Optional.empty(), original.get(key), where + " absent " + key);
                }
            }
        }
        try (BpfKv db = BpfKv.open(file, io.jxrp.bpfkv.BpfKvOptions.defaults());
             BpfKv pread = BpfKv.open(file, io.jxrp.bpfkv.BpfKvOptions.defaults().withMode(io.jxrp.bpfkv.BpfKvOptions.Mode.PREAD))) {
            assertEquals(result.build().layout(), db.layout());
            for (Map.Entry<Long, byte[]> entry : model.entrySet()) {
                assertArrayEquals(entry.getValue(), db.get(entry.getKey()).orElseThrow(), where);
                assertArrayEquals(entry.getValue(), pread.get(entry.getKey()).orElseThrow(), where);
            }
            List<KeyValue> all = db.range(io.jxrp.bpfkv.KeyRange.all()).toList();
            assertEquals(model.size(), all.size(), where + " whole range");
            int i = 0;
            for (Map.Entry<Long, byte[]> entry : model.entrySet()) {
                assertEquals(entry.getKey(), all.get(i).key(), where + " range #" + i);
                assertArrayEquals(entry.getValue(), all.get(i).value(), where + " range #" + i);
                i++;
            }
            assertEquals(all, pread.range(io.jxrp.bpfkv.KeyRange.all()).toList(), where + " pread range");
            assertEquals(Map.of(), db.stats().fallbacks(), where);
        }
    }

    @Test
    void malformedInputFailsWithItsLineNumberAndWritesNothing() throws Exception {
        Path file = Model.testDir().resolve("loader-bad.db");
        Files.deleteIfExists(file);
        for (String[] bad : new String[][] {
                {"1\ta\n2 b\n", "line 2: no TAB"},
                {"1\ta\nx\tb\n", "line 2: key 'x' is not an unsigned 64-bit"},
                {"-5\ta\n", "line 1: key '-5'"},
                {"18446744073709551616\ta\n", "line 1: key"},
                {"3\tok\n18446744073709551615\ta\n", "line 2: key 18446744073709551615 (2^64 - 1) is reserved"},
                {"1\t" + "x".repeat(65) + "\n", "line 1: value of 65 bytes is longer than the 64-byte value slot"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DbLoader.load(file,
                    new PairLines(new BufferedReader(new StringReader(bad[0])), "in.txt"), DbBuilder.Options.defaults()));
            assertTrue(e.getMessage().startsWith("in.txt: " + bad[1]), e.getMessage());
            assertFalse(Files.exists(file), "nothing written for " + bad[1]);
            assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".loading")));
        }
        // 64 bytes fit, tabs and UTF-8 inside a value too, a CRLF line ends at its CR
        String ok = "18446744073709551614\t" + "y".repeat(64) + "\r\n5\ta\tb\n9\tgrüße\n";
        DbLoader.load(file, new PairLines(new BufferedReader(new StringReader(ok)), "ok.txt"), DbBuilder.Options.defaults());
        try (BpfKv db = BpfKv.open(file, io.jxrp.bpfkv.BpfKvOptions.defaults())) {
            assertEquals("y".repeat(64), new String(db.get(-2L).orElseThrow(), StandardCharsets.UTF_8));
            assertEquals("a\tb", new String(db.get(5).orElseThrow(), StandardCharsets.UTF_8));
            assertEquals("grüße", new String(db.get(9).orElseThrow(), StandardCharsets.UTF_8));
            assertThrows(IllegalArgumentException.class, () -> db.get(-1L));
        }
        // an existing file is kept unless forced, and replaced whole when forced
        assertThrows(FileAlreadyExistsException.class, () -> BpfKv.load(file, Stream.of(KeyValue.of(1, "z"))));
        BpfKv.load(file, Stream.of(KeyValue.of(1, "z"), KeyValue.of(1, "last")), DbBuilder.Options.defaults().withForce(true));
        try (BpfKv db = BpfKv.open(file, io.jxrp.bpfkv.BpfKvOptions.defaults())) {
            assertEquals("last", new String(db.get(1).orElseThrow(), StandardCharsets.UTF_8), "the last pair of a key wins");
            assertEquals(1, db.layout().keyCount());
        }
        assertThrows(IllegalArgumentException.class, () -> KeyValue.of(1, new byte[] {'a', 0}));
    }

    private static byte[] randomValue(Random random) {
        if (random.nextBoolean()) {
            return (" ".repeat(random.nextInt(4)) + random.nextInt(1_000_000)).getBytes(StandardCharsets.US_ASCII);
        }
        byte[] value = new byte[random.nextInt(65)];
        random.nextBytes(value);
        if (value.length > 0 && value[value.length - 1] == 0) {
            value[value.length - 1] = 1;
        }
        return value;
    }
}
