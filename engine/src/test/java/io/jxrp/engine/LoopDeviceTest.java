package io.jxrp.engine;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.UringBackend;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * As root, on real loop devices: the FIEMAP digest reading the block device under ext4 directly gives
 * the identity path's answers; rewriting the file under running chains gives STALE_MAPPING, never
 * stale data; a 4 KiB-sector device serves 512 B requests from the enclosing aligned block.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LoopDeviceTest {

    private static IoBackend backend() {
        return UringBackend.unavailabilityCause() == null ? new UringBackend() : new JavaBackend(8);
    }

    @Test
    void fiemapDigestBypassesExt4WithTheSameAnswers() throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("fiemapDigestBypassesExt4WithTheSameAnswers seed " + seed);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("fiemap", 64)) {
            ChainFile chain = ChainFile.create(fs.mountPoint.resolve("chain.bin"), 8192, seed);
            try (ResubmissionEngine identity = ResubmissionEngine.open(chain.path, EngineOptions.defaults(), backend());
                 ResubmissionEngine bypass = ResubmissionEngine.open(chain.path,
                         EngineOptions.defaults().withDigest(DigestKind.FIEMAP), backend())) {
                assertEquals(fs.loop.device().toRealPath(), bypass.digest().devicePath().toRealPath(),
                        "the FIEMAP digest reads the loop device itself");
                Random rnd = new Random(seed);
                for (int i = 0; i < 500; i++) {
                    int start = rnd.nextInt(8192);
                    int hops = 1 + rnd.nextInt(30);
                    XrpResult<long[]> a = identity.execute(ChainFunctions.chase(start, hops));
                    XrpResult<long[]> b = bypass.execute(ChainFunctions.chase(start, hops));
                    long[] want = chain.expect(start, hops);
                    assertEquals(Outcome.OK, a.outcome());
                    assertEquals(Outcome.OK, b.outcome(), "bypass chain " + i);
                    assertArrayEquals(new long[] {want[0], want[1], hops}, b.value(), "bypass chain " + i);
                    assertArrayEquals(a.value(), b.value());
                }
            }
        }
    }

    @Test
    void rewritingTheFileUnderRunningChainsIsStaleNeverStaleData() throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("rewritingTheFileUnderRunningChainsIsStaleNeverStaleData seed " + seed);
        int records = 8192;
        int hops = 200;
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("stale", 64)) {
            ChainFile before = ChainFile.create(fs.mountPoint.resolve("chain.bin"), records, seed);
            ChainFile after = ChainFile.create(fs.mountPoint.resolve("replacement.bin"), records, seed + 1);
            try (ResubmissionEngine bypass = ResubmissionEngine.open(before.path,
                    EngineOptions.defaults().withDigest(DigestKind.FIEMAP).withHopBudget(hops + 1), backend())) {
                AtomicBoolean stop = new AtomicBoolean();
                List<long[]> oks = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Outcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
                Thread driver = Thread.ofPlatform().start(() -> {
                    Random rnd = new Random(seed);
                    while (!stop.get()) {
                        List<int[]> starts = new ArrayList<>();
                        List<CompletableFuture<XrpResult<long[]>>> fs2 = new ArrayList<>();
                        for (int i = 0; i < 16; i++) {
                            int s = rnd.nextInt(records);
                            starts.add(new int[] {s});
                            fs2.add(bypass.submit(ChainFunctions.chase(s, hops)));
                        }
                        for (int i = 0; i < fs2.size(); i++) {
                            XrpResult<long[]> r = fs2.get(i).join();
                            outcomes.add(r.outcome());
                            if (r.ok()) {
                                oks.add(new long[] {starts.get(i)[0], r.value()[0], r.value()[1]});
                            }
                        }
                    }
                });
                Thread.sleep(300);
                // another process rewrites the file in place: open(O_TRUNC) breaks the lease first
                RootFixtures.run("cp", after.path.toString(), before.path.toString());
                Thread.sleep(300);
                stop.set(true);
                driver.join();
                long stale = outcomes.stream().filter(o -> o == Outcome.STALE_MAPPING).count();
                System.out.println("rewrite under " + outcomes.size() + " chains: " + stale + " stale, " + oks.size() + " ok");
                assertTrue(stale > 0, "chains in flight across the rewrite must be stale; outcomes " + outcomes.size());
                for (long[] ok : oks) {
                    long[] old = before.expect((int) ok[0], hops);
                    long[] neu = after.expect((int) ok[0], hops);
                    boolean matchesOld = old[0] == ok[1] && old[1] == ok[2];
                    boolean matchesNew = neu[0] == ok[1] && neu[1] == ok[2];
                    assertTrue(matchesOld || matchesNew, "an OK chain from " + ok[0] + " mixed old and new data");
                }
                // once the writer is gone the digest takes the lease again and serves the new contents
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                XrpResult<long[]> r;
                do {
                    r = bypass.execute(ChainFunctions.chase(5, hops));
                } while (!r.ok() && System.nanoTime() < deadline && sleep(50));
                assertEquals(Outcome.OK, r.outcome(), "the mapping is re-read after the writer closes");
                long[] want = after.expect(5, hops);
                assertArrayEquals(new long[] {want[0], want[1], hops}, r.value());
            }
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    @Test
    void fourKibSectorDeviceServesHalfKibRequests() throws Exception {
        RootFixtures.assumeRoot();
        long seed = TestFiles.seed();
        System.out.println("fourKibSectorDeviceServesHalfKibRequests seed " + seed);
        Path backing = TestFiles.dir().resolve("sector4k.bin");
        ChainFile chain = ChainFile.create(backing, 4096, seed);
        try (RootFixtures.LoopDevice loop = RootFixtures.LoopDevice.attach(backing, 4096);
             ResubmissionEngine e = ResubmissionEngine.open(loop.device(), EngineOptions.defaults(), backend())) {
            assertEquals(4096, e.logicalBlockSize());
            Random rnd = new Random(seed);
            for (int i = 0; i < 300; i++) {
                int start = rnd.nextInt(4096);
                int hops = 1 + rnd.nextInt(20);
                XrpResult<long[]> r = e.execute(ChainFunctions.chase(start, hops));
                long[] want = chain.expect(start, hops);
                assertEquals(Outcome.OK, r.outcome());
                assertArrayEquals(new long[] {want[0], want[1], hops}, r.value());
            }
            // the function sees exactly the 512 bytes it asked for
            XrpResult<Long> size = e.execute(XrpRequest.of(ctx -> {
                ctx.scratch().set(ValueLayout.JAVA_LONG, 0, ctx.data().byteSize());
                ctx.setDone();
                return 0;
            }, 3 * 512, 512, s -> s.get(ValueLayout.JAVA_LONG, 0)));
            assertEquals(512L, size.value());
        } finally {
            Files.deleteIfExists(backing);
        }
    }
}
