package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the FIEMAP digest must do on a real file system, whatever the disk and backend: the same
 * answers as the identity digest, and a file rewritten under running chains gives STALE_MAPPING,
 * never stale data. Run on loop devices ({@link LoopDeviceTest}) and on NVMe namespaces in the guest
 * ({@link NvmeEngineTest}).
 */
final class FiemapChecks {
    private FiemapChecks() {
    }

    /**
     * Chains through {@code bypass} (a FIEMAP engine) against the model and {@code identity}'s answers,
     * on a chain file created in {@code dir}.
     *
     * @return the device the FIEMAP digest reads
     */
    static Path bypassGivesTheIdentityAnswers(Path dir, EngineOptions identityOptions, EngineOptions bypassOptions,
                                              long seed, int chains) throws Exception {
        ChainFile chain = ChainFile.create(dir.resolve("chain-" + seed + ".bin"), 8192, seed);
        try (ResubmissionEngine identity = ResubmissionEngine.open(chain.path, identityOptions);
             ResubmissionEngine bypass = ResubmissionEngine.open(chain.path, bypassOptions.withDigest(DigestKind.FIEMAP))) {
            Random rnd = new Random(seed);
            for (int i = 0; i < chains; i++) {
                int start = rnd.nextInt(8192);
                int hops = 1 + rnd.nextInt(30);
                XrpResult<long[]> a = identity.execute(ChainFunctions.chase(start, hops));
                XrpResult<long[]> b = bypass.execute(ChainFunctions.chase(start, hops));
                long[] want = chain.expect(start, hops);
                assertEquals(Outcome.OK, a.outcome(), "identity chain " + i + " seed " + seed);
                assertEquals(Outcome.OK, b.outcome(), "bypass chain " + i + " seed " + seed);
                assertArrayEquals(new long[] {want[0], want[1], hops}, b.value(), "bypass chain " + i + " seed " + seed);
                assertArrayEquals(a.value(), b.value());
            }
            return bypass.digest().devicePath();
        }
    }

    /**
     * Chains of {@code hops} hops run through a FIEMAP engine while another process rewrites the file
     * in place: the chains in flight across the rewrite end STALE_MAPPING, every OK chain matches the
     * old or the new contents (never a mix), and once the writer is gone the new contents are served.
     *
     * @return the engine's backend, for the caller to check
     */
    static String rewriteUnderRunningChainsIsStaleNeverStaleData(Path dir, EngineOptions options, long seed)
            throws Exception {
        int records = 8192;
        int hops = 200;
        ChainFile before = ChainFile.create(dir.resolve("stale-" + seed + ".bin"), records, seed);
        ChainFile after = ChainFile.create(dir.resolve("replacement-" + seed + ".bin"), records, seed + 1);
        try (ResubmissionEngine bypass = ResubmissionEngine.open(before.path,
                options.withDigest(DigestKind.FIEMAP).withHopBudget(hops + 1))) {
            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> oks = Collections.synchronizedList(new ArrayList<>());
            List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            Thread driver = Thread.ofPlatform().start(() -> {
                Random rnd = new Random(seed);
                while (!stop.get()) {
                    List<int[]> starts = new ArrayList<>();
                    List<CompletableFuture<XrpResult<long[]>>> running = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        int s = rnd.nextInt(records);
                        starts.add(new int[] {s});
                        running.add(bypass.submit(ChainFunctions.chase(s, hops)));
                    }
                    for (int i = 0; i < running.size(); i++) {
                        XrpResult<long[]> r = running.get(i).join();
                        outcomes.add(r.outcome());
                        if (r.ok()) {
                            oks.add(new long[] {starts.get(i)[0], r.value()[0], r.value()[1]});
                        }
                    }
                }
            });
            // chains must be running when the writer comes: wait for the first answers
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (outcomes.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            // another process rewrites the file in place: open(O_TRUNC) breaks the lease first
            RootFixtures.run("cp", after.path.toString(), before.path.toString());
            Thread.sleep(300);
            stop.set(true);
            driver.join();
            long stale = outcomes.stream().filter(o -> o == Outcome.STALE_MAPPING).count();
            System.out.println("rewrite under " + outcomes.size() + " chains (" + bypass.backendName() + "): " + stale
                    + " stale, " + oks.size() + " ok");
            assertTrue(stale > 0, "chains in flight across the rewrite must be stale; outcomes " + outcomes.size());
            for (Outcome o : outcomes) {
                assertTrue(o == Outcome.OK || o == Outcome.STALE_MAPPING, "outcome " + o + " seed " + seed);
            }
            for (long[] ok : oks) {
                long[] old = before.expect((int) ok[0], hops);
                long[] neu = after.expect((int) ok[0], hops);
                boolean matchesOld = old[0] == ok[1] && old[1] == ok[2];
                boolean matchesNew = neu[0] == ok[1] && neu[1] == ok[2];
                assertTrue(matchesOld || matchesNew, "an OK chain from " + ok[0] + " mixed old and new data, seed " + seed);
            }
            // once the writer is gone the digest takes the lease again and serves the new contents
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            XrpResult<long[]> r;
            do {
                r = bypass.execute(ChainFunctions.chase(5, hops));
            } while (!r.ok() && System.nanoTime() - deadline < 0 && sleep(50));
            assertEquals(Outcome.OK, r.outcome(), "the mapping is re-read after the writer closes");
            long[] want = after.expect(5, hops);
            assertArrayEquals(new long[] {want[0], want[1], hops}, r.value());
            return bypass.backendName();
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }
}
