package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.DigestKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.RootFixtures;
import io.jxrp.engine.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * As root, a database on ext4 over a loop device read through the FIEMAP digest (the block device
 * directly) while another process rewrites the file under running lookups: lookups in flight across a
 * rewrite end STALE_MAPPING in the engine and BpfKv answers them again on the pread path. Every answer
 * is checked against the model; the fall-backs are counted; once the writer is gone the engine
 * answers by itself again. The rewrite writes the same bytes in place ({@code dd conv=notrunc}), so the
 * file's contents are the model's at every instant and any answer but the model's is a fault.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StaleMappingFallbackTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BackendKind.class, names = {"URING", "JAVA"})
    void rewritesUnderRunningLookupsFallBackToPreadWithTheModelsAnswers(BackendKind kind) throws Exception {
        RootFixtures.assumeRoot();
        TestBackends.of(kind); // io_uring required for the uring case: skips, or fails in CI, without it
        long seed = Model.seed();
        Model model = new Model(3);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("bpfkv-stale", 64, 4096)) {
            Path db = fs.mountPoint.resolve("kv3.db");
            Path copy = fs.mountPoint.resolve("kv3.copy");
            Files.copy(Model.database(3), db);
            Files.copy(Model.database(3), copy);
            BpfKvOptions options = BpfKvOptions.defaults().withCacheLevels(0).withEngine(EngineOptions.defaults()
                    .withBackend(kind).withDigest(DigestKind.FIEMAP).withReactors(2));
            try (BpfKv kv = BpfKv.open(db, options)) {
                assertTrue(kv.backendDescription().startsWith(kind.cliName() + " ("), kv.backendDescription());
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong answers = new AtomicLong();
                List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
                List<Thread> readers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long threadSeed = seed + t;
                    int kindOfLookup = t % 2;
                    readers.add(Thread.ofPlatform().name("lookups-" + t).start(() -> {
                        Random random = new Random(threadSeed);
                        try {
                            while (!stop.get()) {
                                long key = random.nextLong(model.keyCount);
                                if (kindOfLookup == 0) {
                                    assertArrayEquals(Model.value(key), kv.get(key).orElseThrow(), "seed " + seed + " get " + key);
                                } else {
                                    long other = random.nextLong(model.keyCount);
                                    List<Optional<byte[]>> values = kv.getAll(key, other, model.keyCount + 3);
                                    assertArrayEquals(Model.value(key), values.get(0).orElseThrow(), "seed " + seed + " getAll " + key);
                                    assertArrayEquals(Model.value(other), values.get(1).orElseThrow(), "seed " + seed + " getAll " + other);
                                    assertTrue(values.get(2).isEmpty(), "seed " + seed + " getAll absent");
                                }
                                answers.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }));
                }
                try {
                    awaitAnswers(answers, 500, errors);
                    for (int rewrite = 0; rewrite < 5; rewrite++) {
                        // another process opens the file for writing (breaking the digest's lease) and rewrites it
                        RootFixtures.run("dd", "if=" + copy, "of=" + db, "bs=1M", "conv=notrunc,fsync", "status=none");
                        awaitAnswers(answers, 300, errors);
                    }
                } finally {
                    stop.set(true);
                    for (Thread reader : readers) {
                        reader.join(TimeUnit.SECONDS.toMillis(30));
                    }
                }
                assertTrue(errors.isEmpty(), () -> "seed " + seed + ": " + errors.size() + " wrong answers or failures, first "
                        + errors.getFirst());
                Map<Outcome, Long> fallbacks = kv.stats().fallbacks();
                System.out.println(kind + ": " + answers.get() + " answers, " + kv.stats());
                assertEquals(Set.of(Outcome.STALE_MAPPING), fallbacks.keySet(), "only stale mappings fell back: " + kv.stats());
                assertTrue(fallbacks.get(Outcome.STALE_MAPPING) > 0, "lookups ran across the rewrites: " + kv.stats());
                assertTrue(kv.stats().engineRequests() > fallbacks.get(Outcome.STALE_MAPPING), "the engine answered most: "
                        + kv.stats());

                // the writer is gone: the digest takes its lease again and re-reads the extents, and the
                // engine answers without falling back
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                boolean clean = false;
                while (!clean && System.nanoTime() < deadline) {
                    long before = kv.stats().totalFallbacks();
                    for (int i = 0; i < 200; i++) {
                        long key = (seed + i * 7919L) % model.keyCount;
                        assertArrayEquals(Model.value(key), kv.get(key).orElseThrow(), "after the rewrites, key " + key);
                    }
                    clean = kv.stats().totalFallbacks() == before;
                }
                assertTrue(clean, "lookups still fall back 30 s after the last rewrite: " + kv.stats());
            }
        }
    }

    private static void awaitAnswers(AtomicLong answers, long more, List<Throwable> errors) throws InterruptedException {
        long target = answers.get() + more;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answers.get() < target && errors.isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "lookups stalled at " + answers.get() + " answers");
            Thread.sleep(5);
        }
    }
}
