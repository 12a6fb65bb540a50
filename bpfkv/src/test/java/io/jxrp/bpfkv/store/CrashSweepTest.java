package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.DbLoader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.UringBackend;
import io.jxrp.engine.backend.IoBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety: a workload of puts and deletes (group commits, checkpoints) runs on a backend that
 * keeps a crash image at every write and every flush it is given, and at a checkpoint's rename and
 * log deletion; each image is opened as a crash would leave it (and again with its newest log block
 * torn, as a power loss may leave an unflushed write) and must hold every acknowledged write and
 * no half group: exactly the state after some prefix of the step in progress. The seed is printed.
 */
@Timeout(600)
class CrashSweepTest {
    private record Op(long key, byte[] value) { // value null: delete
    }

    private static IoBackend backend(String name) {
        return name.equals("uring") ? new UringBackend() : new JavaBackend(2);
    }

    private static BpfKvOptions options(BackendKind kind) {
        return BpfKvOptions.defaults().withMode(BpfKvOptions.Mode.PREAD)
                .withEngine(EngineOptions.defaults().withBackend(kind).withJavaThreads(2));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"uring", "java"})
    void everyCrashPointRecoversACommittedState(String backendName) throws Exception {
        if (backendName.equals("uring")) {
            io.jxrp.engine.TestBackends.requireUring();
        }
        long seed = Model.seed();
        Random random = new Random(seed);
        Path dir = Model.testDir().resolve("crash-" + backendName);
        deleteTree(dir);
        Path db = dir.resolve("db");
        Files.createDirectories(db);
        Path file = db.resolve("kv.db");
        TreeMap<Long, byte[]> model = new TreeMap<>(Long::compareUnsigned);
        List<KeyValue> initial = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long key = random.nextLong(2_000);
            byte[] v = ("v" + i).getBytes(StandardCharsets.US_ASCII);
            initial.add(KeyValue.of(key, v));
            model.put(key, v);
        }
        DbLoader.load(file, initial.iterator(), DbBuilder.Options.defaults());

        CrashImageBackend backend = new CrashImageBackend(backend(backendName), file, dir.resolve("images"));
        List<TreeMap<Long, byte[]>> states = new ArrayList<>();
        List<List<Op>> steps = new ArrayList<>();
        states.add(new TreeMap<>(model));
        Store.checkpointBoundary = point -> backend.image("checkpoint " + point);
        BackendKind kind = backendName.equals("uring") ? BackendKind.AUTO : BackendKind.AUTO;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Store store = Store.open(file, options(kind).withWritable(true).withCheckpointEntries(45)
                    .withCheckpointOnClose(false), backend, executor);
            try {
                backend.imaging = true;
                for (int s = 0; s < 24; s++) {
                    List<Op> ops = new ArrayList<>();
                    List<CompletableFuture<Void>> futures = new ArrayList<>();
                    int n = 1 + random.nextInt(s % 4 == 0 ? 60 : 8);
                    for (int i = 0; i < n; i++) {
                        long key = random.nextLong(2_500);
                        if (random.nextInt(5) == 0) {
                            ops.add(new Op(key, null));
                            futures.add(store.deleteAsync(key));
                        } else {
                            byte[] v = ("s" + s + "i" + i).getBytes(StandardCharsets.US_ASCII);
                            ops.add(new Op(key, v));
                            futures.add(store.putAsync(key, v));
                        }
                    }
                    CompletableFuture.allOf(futures.toArray(CompletableFuture<?>[]::new)).join();
                    steps.add(ops);
                    apply(model, ops, ops.size());
                    states.add(new TreeMap<>(model));
                    backend.acknowledgedSteps = s + 1;
                    if (s == 12) {
                        store.checkpoint(); // one in the foreground too, while the log is busy
                    }
                }
                backend.imaging = false;
            } finally {
                Store.checkpointBoundary = point -> { };
                store.close();
            }
        }
        List<CrashImageBackend.Image> images = backend.images();
        assertTrue(images.size() > 40, "images: " + images.size());
        assertTrue(images.stream().anyMatch(i -> i.boundary().startsWith("checkpoint")), "a checkpoint was crossed");
        int checked = 0;
        for (CrashImageBackend.Image image : images) {
            checkImage(image, file.getFileName().toString(), states, steps, false, "seed " + seed);
            checked++;
            if (image.boundary().equals("before flush") && tearNewestLogBlock(image.dir(), file.getFileName().toString())) {
                checkImage(image, file.getFileName().toString(), states, steps, true, "seed " + seed);
                checked++;
            }
        }
        System.out.println("seed " + seed + " " + backendName + ": " + checked + " crash images recovered to a committed state");
    }

    private static void checkImage(CrashImageBackend.Image image, String name, List<TreeMap<Long, byte[]>> states,
                                   List<List<Op>> steps, boolean torn, String seed) throws Exception {
        Path work = image.dir().resolveSibling(image.dir().getFileName() + (torn ? "-torn" : "-open"));
        deleteTree(work);
        Files.createDirectories(work);
        try (Stream<Path> files = Files.list(image.dir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, work.resolve(f.getFileName()));
            }
        }
        Path file = work.resolve(name);
        String where = seed + " image " + image.dir().getFileName() + " (" + image.boundary() + (torn ? ", torn" : "")
                + ", " + image.acknowledgedSteps() + " steps acknowledged)";
        Map<Long, byte[]> recovered = readAll(file, true);
        int a = image.acknowledgedSteps();
        List<Op> step = a < steps.size() ? steps.get(a) : List.of();
        boolean matched = false;
        for (int j = 0; j <= step.size() && !matched; j++) {
            TreeMap<Long, byte[]> candidate = new TreeMap<>(states.get(a));
            apply(candidate, step, j);
            matched = sameState(candidate, recovered);
        }
        if (!matched) {
            fail(where + ": recovered " + recovered.size() + " keys, which is no prefix of the step in progress over the "
                    + states.get(a).size() + " acknowledged keys");
        }
        // opened once writable (log cut where the replay ended), it opens the same again
        assertTrue(sameState(recovered, readAll(file, false)), where + ": reopened");
    }

    private static Map<Long, byte[]> readAll(Path file, boolean writable) throws IOException {
        Map<Long, byte[]> all = new TreeMap<>(Long::compareUnsigned);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
             Store store = Store.open(file, options(BackendKind.AUTO).withWritable(writable).withCheckpointOnClose(false),
                     null, executor);
             Store.CloseableIterator pairs = store.iterator(KeyRange.all())) {
            while (pairs.hasNext()) {
                KeyValue pair = pairs.next();
                all.put(pair.key(), pair.value());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return all;
    }

    private static void apply(Map<Long, byte[]> state, List<Op> ops, int count) {
        for (int i = 0; i < count; i++) {
            Op op = ops.get(i);
            if (op.value == null) {
                state.remove(op.key);
            } else {
                state.put(op.key, op.value);
            }
        }
    }

    private static boolean sameState(Map<Long, byte[]> expected, Map<Long, byte[]> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
            if (!Arrays.equals(e.getValue(), actual.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Zeroes the last 512 B block of the newest non-empty log file: an unflushed write a power loss tore. */
    private static boolean tearNewestLogBlock(Path imageDir, String name) throws IOException {
        List<Path> logs;
        try (Stream<Path> files = Files.list(imageDir)) {
            logs = files.filter(f -> f.getFileName().toString().startsWith(name + ".wal.")).sorted(Comparator.reverseOrder())
                    .toList();
        }
        for (Path log : logs) {
            long size = Files.size(log);
            if (size >= 512) {
                try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
                    channel.write(java.nio.ByteBuffer.allocate(512), size - 512);
                }
                return true;
            }
        }
        return false;
    }

    /** A full disk (writes fail with ENOSPC): the puts fail, the database stays as at its last commit, and goes on after. */
    @Test
    void aFullDiskFailsTheGroupAndLeavesTheLastCommit() throws Exception {
        io.jxrp.engine.TestBackends.requireUring();
        Path dir = Model.testDir().resolve("crash-enospc");
        deleteTree(dir);
        Files.createDirectories(dir);
        Path file = dir.resolve("kv.db");
        DbLoader.load(file, List.of(KeyValue.of(1, "one"), KeyValue.of(2, "two")).iterator(), DbBuilder.Options.defaults());
        CrashImageBackend backend = new CrashImageBackend(backend("uring"), file, dir.resolve("images"));
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Store store = Store.open(file, options(BackendKind.AUTO).withWritable(true).withCheckpointOnClose(false),
                    backend, executor);
            try {
                store.putAsync(3, "three".getBytes(StandardCharsets.US_ASCII)).join();
                backend.failWritesWith = 28; // ENOSPC
                CompletionException e = assertThrows(CompletionException.class,
                        () -> store.putAsync(4, "four".getBytes(StandardCharsets.US_ASCII)).join());
                assertTrue(e.getCause().getMessage().contains("the database stays as at its last commit"), e.getMessage());
                assertThrows(CompletionException.class, () -> store.deleteAsync(1).join());
                assertEquals("three", new String(store.get(3).orElseThrow(), StandardCharsets.US_ASCII));
                assertTrue(store.get(4).isEmpty() && store.get(1).isPresent(), "nothing of the failed groups is visible");
                backend.failWritesWith = 0; // space again
                store.putAsync(5, "five".getBytes(StandardCharsets.US_ASCII)).join();
            } finally {
                store.close();
            }
        }
        Map<Long, byte[]> after = readAll(file, false);
        assertEquals(List.of(1L, 2L, 3L, 5L), new ArrayList<>(after.keySet()), "the failed put and delete never appear");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
