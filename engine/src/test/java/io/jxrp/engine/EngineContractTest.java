package io.jxrp.engine;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.backend.IoBackend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every backend must do, checked against the in-memory model of a {@link ChainFile}. One small
 * subclass per backend supplies the backend; randomized cases print their seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class EngineContractTest {
    protected static final int RECORDS = 4096;
    protected ChainFile chain;
    protected ResubmissionEngine engine;

    /** The backend under test. */
    protected abstract IoBackend backend() throws Exception;

    protected EngineOptions options() {
        return EngineOptions.defaults().withQueueDepth(256).withMaxInflightRequests(256).withHopBudget(64);
    }

    /**
     * Opens an engine whose default target holds {@code file}'s bytes: the file itself here; a
     * backend that serves other devices (SPDK namespaces) overrides it.
     */
    protected ResubmissionEngine open(Path file, EngineOptions options) throws Exception {
        return ResubmissionEngine.open(file, options, backend());
    }

    protected Path file(String name) {
        return TestFiles.dir().resolve(getClass().getSimpleName() + "-" + name);
    }

    @BeforeAll
    void setUp() throws Exception {
        long seed = TestFiles.seed();
        System.out.println(getClass().getSimpleName() + " chain seed " + seed);
        chain = ChainFile.create(file("chain.bin"), RECORDS, seed);
        engine = open(chain.path, options());
    }

    @AfterAll
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void singleChain() throws Exception {
        XrpResult<long[]> r = engine.execute(ChainFunctions.chase(7, 20));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals(20, r.hops());
        long[] want = chain.expect(7, 20);
        assertEquals(want[0], r.value()[0], "xor of payloads");
        assertEquals(want[1], r.value()[1], "last next index");
    }

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {1, 4, 32, 256})
    void randomChainsAgainstModel(int inflight) throws Exception {
        long seed = TestFiles.seed() ^ inflight;
        System.out.println("randomChainsAgainstModel inflight=" + inflight + " seed=" + seed);
        Random rnd = new Random(seed);
        int total = 3000;
        int[] starts = new int[total];
        int[] lengths = new int[total];
        List<CompletableFuture<XrpResult<long[]>>> window = new ArrayList<>();
        int checked = 0;
        for (int i = 0; i < total; i++) {
            starts[i] = rnd.nextInt(RECORDS);
            lengths[i] = 1 + rnd.nextInt(40);
            window.add(engine.submit(ChainFunctions.chase(starts[i], lengths[i])));
            if (window.size() == inflight || i == total - 1) {
                for (CompletableFuture<XrpResult<long[]>> f : window) {
                    XrpResult<long[]> r = f.get(60, TimeUnit.SECONDS);
                    int k = checked++;
                    long[] want = chain.expect(starts[k], lengths[k]);
                    assertEquals(Outcome.OK, r.outcome(), "chain " + k + " seed " + seed);
                    assertEquals(lengths[k], r.hops(), "hops of chain " + k + " seed " + seed);
                    assertArrayEquals(new long[] {want[0], want[1], lengths[k]}, r.value(), "chain " + k + " seed " + seed);
                }
                window.clear();
            }
        }
        assertEquals(total, checked);
    }

    @Test
    void submittersOnManyThreads() throws Exception {
        long seed = TestFiles.seed();
        System.out.println("submittersOnManyThreads seed=" + seed);
        int threads = 4;
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            long s = seed + t;
            ts.add(Thread.ofPlatform().start(() -> {
                Random rnd = new Random(s);
                try {
                    for (int i = 0; i < 300; i++) {
                        int start = rnd.nextInt(RECORDS);
                        int len = 1 + rnd.nextInt(10);
                        XrpResult<long[]> r = engine.execute(ChainFunctions.chase(start, len));
                        long[] want = chain.expect(start, len);
                        assertEquals(Outcome.OK, r.outcome());
                        assertArrayEquals(new long[] {want[0], want[1], len}, r.value());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        assertTrue(errors.isEmpty(), () -> "seed " + seed + ": " + errors);
    }

    @ParameterizedTest(name = "fanout {0}")
    @ValueSource(ints = {2, 5, 16})
    void fanOutTree(int fanout) throws Exception {
        int limit = 1500;
        XrpResult<long[]> r = engine.execute(XrpRequest.of(ChainFunctions.tree(fanout, limit), 0, ChainFile.RECORD,
                ChainFunctions::answer).withHopBudget(limit));
        assertEquals(Outcome.OK, r.outcome());
        long xor = 0;
        for (int i = 0; i < limit; i++) {
            xor ^= chain.payload[i];
        }
        assertEquals(limit, r.value()[2], "every node visited exactly once");
        assertEquals(xor, r.value()[0]);
        assertEquals(limit, r.hops());
    }

    @Test
    void severalFirstReadsRunAsBranches() throws Exception {
        long[] offsets = {0, 10L * ChainFile.RECORD, 20L * ChainFile.RECORD};
        int[] sizes = {ChainFile.RECORD, ChainFile.RECORD, ChainFile.RECORD};
        XrpResult<long[]> r = engine.execute(new XrpRequest<>(ctx -> {
            var s = ctx.scratch();
            s.set(ChainFunctions.U64, ChainFunctions.VISITED, s.get(ChainFunctions.U64, ChainFunctions.VISITED) + 1);
            s.set(ChainFunctions.U64, 64 + 8L * ctx.slot(), ctx.curAddr());
            return 0;
        }, offsets, sizes, null, s -> new long[] {s.get(ChainFunctions.U64, 24), s.get(ChainFunctions.U64, 64),
                s.get(ChainFunctions.U64, 72), s.get(ChainFunctions.U64, 80)}, 0));
        assertEquals(Outcome.OK, r.outcome());
        assertArrayEquals(new long[] {3, 0, 10L * ChainFile.RECORD, 20L * ChainFile.RECORD}, r.value());
    }

    @Test
    void hopBudgetEndsRunawayChains() throws Exception {
        // a function that always asks for the same record again never finishes on its own
        XrpResult<long[]> r = engine.execute(XrpRequest.of(ctx -> {
            var s = ctx.scratch();
            s.set(ChainFunctions.U64, ChainFunctions.VISITED, s.get(ChainFunctions.U64, ChainFunctions.VISITED) + 1);
            ctx.setNext(ctx.curAddr(), ChainFile.RECORD);
            return 0;
        }, 0, ChainFile.RECORD, ChainFunctions::answer).withHopBudget(37));
        assertEquals(Outcome.BUDGET_EXHAUSTED, r.outcome());
        assertEquals(37, r.hops());
        assertEquals(37, r.value()[2], "the partial scratch comes back");
    }

    @Test
    void functionThatThrows() throws Exception {
        XrpResult<long[]> r = engine.execute(XrpRequest.of(ctx -> {
            throw new IllegalStateException("boom");
        }, 0, ChainFile.RECORD, ChainFunctions::answer));
        assertEquals(Outcome.FUNCTION_ERROR, r.outcome());
    }

    @Test
    void functionReturningNonZero() throws Exception {
        XrpResult<long[]> r = engine.execute(XrpRequest.of(ctx -> 7, 0, ChainFile.RECORD, ChainFunctions::answer));
        assertEquals(Outcome.FUNCTION_ERROR, r.outcome());
        assertEquals(7, r.detail());
    }

    @Test
    void addressOutsideTheFile() throws Exception {
        long outside = (long) RECORDS * ChainFile.RECORD;
        XrpResult<long[]> r = engine.execute(XrpRequest.of(ctx -> {
            ctx.setNext(outside, ChainFile.RECORD);
            return 0;
        }, 0, ChainFile.RECORD, ChainFunctions::answer));
        assertEquals(Outcome.BAD_ADDRESS, r.outcome());
        assertEquals(outside, r.detail());
        // straddling the end, negative, and larger than a buffer
        for (long[] bad : new long[][] {{outside - 256, 512}, {-512, 512}, {0, 1 << 20}}) {
            XrpResult<long[]> b = engine.execute(XrpRequest.of(ctx -> {
                ctx.setNext(bad[0], bad[1]);
                return 0;
            }, 0, ChainFile.RECORD, ChainFunctions::answer));
            assertEquals(Outcome.BAD_ADDRESS, b.outcome(), "next read " + bad[0] + "+" + bad[1]);
        }
        XrpResult<long[]> first = engine.execute(XrpRequest.of(ChainFunctions.CHASE, outside, ChainFile.RECORD,
                ChainFunctions::answer));
        assertEquals(Outcome.BAD_ADDRESS, first.outcome(), "a first read outside the file");
    }

    @Test
    void unalignedSmallReadsGetTheRightBytes() throws Exception {
        // 64 bytes at an odd offset inside record 3: the engine reads the enclosing aligned block
        long offset = 3L * ChainFile.RECORD + 8;
        XrpResult<long[]> r = engine.execute(XrpRequest.of(ctx -> {
            ctx.scratch().set(ChainFunctions.U64, 0, ctx.data().get(ChainFunctions.U64, 0));
            ctx.scratch().set(ChainFunctions.U64, 8, ctx.data().byteSize());
            ctx.setDone();
            return 0;
        }, offset, 64, s -> new long[] {s.get(ChainFunctions.U64, 0), s.get(ChainFunctions.U64, 8)}));
        assertEquals(Outcome.OK, r.outcome());
        assertArrayEquals(new long[] {chain.payload[3], 64}, r.value());
    }

    @Test
    void lastRecordOfAFileThatEndsInsideABlock() throws Exception {
        // 9 records = 4608 bytes: the last one sits in a 4 KiB block that the file ends inside
        ChainFile small = ChainFile.create(file("odd-size.bin"), 9, 11);
        try (ResubmissionEngine e = open(small.path, options())) {
            for (int start = 0; start < 9; start++) {
                XrpResult<long[]> r = e.execute(ChainFunctions.chase(start, 9));
                long[] want = small.expect(start, 9);
                assertEquals(Outcome.OK, r.outcome(), "chain from " + start);
                assertArrayEquals(new long[] {want[0], want[1], 9}, r.value());
            }
        }
    }

    @Test
    void statsCountWhileRunning() throws Exception {
        EngineStats before = engine.stats();
        engine.execute(ChainFunctions.chase(1, 5));
        EngineStats after = engine.stats();
        assertEquals(1, after.completed() - before.completed());
        assertEquals(5, after.hops() - before.hops());
        assertEquals(1, after.outcome(Outcome.OK) - before.outcome(Outcome.OK));
        assertTrue(after.latency().getTotalCount() >= 1);
    }

    @Test
    void closeWithRequestsInFlight() throws Exception {
        ResubmissionEngine e = open(chain.path, options().withMaxInflightRequests(64)
                .withDrainTimeoutMillis(2_000));
        List<CompletableFuture<XrpResult<long[]>>> fs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            fs.add(e.submit(ChainFunctions.chase(i, 60).withHopBudget(61)));
        }
        e.close();
        int ok = 0;
        int failed = 0;
        for (CompletableFuture<XrpResult<long[]>> f : fs) {
            try {
                XrpResult<long[]> r = f.get(10, TimeUnit.SECONDS);
                assertEquals(Outcome.OK, r.outcome());
                ok++;
            } catch (ExecutionException ex) {
                assertTrue(ex.getCause() instanceof IllegalStateException, ex.toString());
                failed++;
            } catch (TimeoutException ex) {
                throw new AssertionError("a future was left hanging after close", ex);
            }
        }
        assertEquals(500, ok + failed);
        ExecutionException after = assertThrows(ExecutionException.class,
                () -> e.submit(ChainFunctions.chase(0, 1)).get(5, TimeUnit.SECONDS));
        assertTrue(after.getCause() instanceof IllegalStateException);
        e.close(); // idempotent
    }

    /**
     * Closed loops driven from callbacks: each completion checks its chain against the model and
     * submits the loop's next chain from the reactor thread, as the load generator does.
     */
    @ParameterizedTest(name = "{0} loops")
    @ValueSource(ints = {1, 16, 200})
    void callbackClosedLoopsAgainstModel(int loops) throws Exception {
        long seed = TestFiles.seed() ^ (loops * 31L);
        System.out.println("callbackClosedLoopsAgainstModel loops=" + loops + " seed=" + seed);
        int total = 3000;
        AtomicInteger started = new AtomicInteger();
        AtomicInteger checked = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(loops);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        for (int l = 0; l < loops; l++) {
            Random rnd = new Random(seed + l);
            new Consumer<Void>() {
                int start;
                int length;

                @Override
                public void accept(Void ignored) {
                    if (started.getAndIncrement() >= total) {
                        done.countDown();
                        return;
                    }
                    start = rnd.nextInt(RECORDS);
                    length = 1 + rnd.nextInt(40);
                    engine.submit(ChainFunctions.chase(start, length), (r, failure) -> {
                        callbackThreads.add(Thread.currentThread());
                        try {
                            assertTrue(failure == null, () -> "failure " + failure);
                            long[] want = chain.expect(start, length);
                            assertEquals(Outcome.OK, r.outcome(), "seed " + seed);
                            assertArrayEquals(new long[] {want[0], want[1], length}, r.value(), "seed " + seed);
                            checked.incrementAndGet();
                            accept(null);
                        } catch (Throwable e) {
                            errors.add(e);
                            done.countDown();
                        }
                    });
                }
            }.accept(null);
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "closed loops did not finish");
        assertTrue(errors.isEmpty(), () -> "seed " + seed + ": " + errors);
        assertEquals(total, checked.get());
        assertTrue(callbackThreads.stream().allMatch(t -> t.getName().startsWith("jxrp-reactor-")),
                () -> "callbacks ran on " + callbackThreads);
    }

    /**
     * A callback that submits from the reactor thread keeps the new request on that reactor, with no
     * hand-off: with four reactors, every loop's follow-up requests run their function and their
     * callback on the one thread that ran the loop's first request, and every answer matches the model.
     */
    @Test
    void callbackResubmissionStaysOnItsReactor() throws Exception {
        long seed = TestFiles.seed();
        System.out.println("callbackResubmissionStaysOnItsReactor seed=" + seed);
        int reactors = 4;
        int loops = 16;
        int steps = 25;
        try (ResubmissionEngine e = open(chain.path, options().withReactors(reactors))) {
            List<Set<Thread>> threadsOfLoop = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(loops);
            AtomicInteger checked = new AtomicInteger();
            List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
            for (int l = 0; l < loops; l++) {
                Random rnd = new Random(seed + l);
                Set<Thread> threads = ConcurrentHashMap.newKeySet();
                threadsOfLoop.add(threads);
                new Consumer<Integer>() {
                    @Override
                    public void accept(Integer step) {
                        if (step == steps) {
                            done.countDown();
                            return;
                        }
                        int start = rnd.nextInt(RECORDS);
                        int length = 1 + rnd.nextInt(10);
                        XrpRequest<long[]> chase = ChainFunctions.chase(start, length);
                        StorageFunction recording = ctx -> {
                            threads.add(Thread.currentThread());
                            return chase.function().apply(ctx);
                        };
                        e.submit(new XrpRequest<>(recording, chase.offsets(), chase.sizes(), chase.scratchInit(),
                                chase.reader(), chase.hopBudget()), (r, failure) -> {
                            threads.add(Thread.currentThread());
                            try {
                                assertTrue(failure == null, () -> "failure " + failure);
                                long[] want = chain.expect(start, length);
                                assertEquals(Outcome.OK, r.outcome(), "seed " + seed);
                                assertArrayEquals(new long[] {want[0], want[1], length}, r.value(), "seed " + seed);
                                checked.incrementAndGet();
                                accept(step + 1);
                            } catch (Throwable t) {
                                errors.add(t);
                                done.countDown();
                            }
                        });
                    }
                }.accept(0);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "loops did not finish");
            assertTrue(errors.isEmpty(), () -> "seed " + seed + ": " + errors);
            assertEquals(loops * steps, checked.get());
            Set<Thread> all = new java.util.HashSet<>();
            for (int l = 0; l < loops; l++) {
                Set<Thread> threads = threadsOfLoop.get(l);
                assertEquals(1, threads.size(), "loop " + l + "'s requests ran on " + threads);
                all.addAll(threads);
            }
            assertTrue(all.stream().allMatch(t -> t.getName().startsWith("jxrp-reactor-")), () -> "ran on " + all);
            assertTrue(all.size() > 1, () -> "the loops' first requests were spread over the reactors: " + all);
        }
    }

    /** Closed loops that keep every request slot busy must not starve requests from other threads. */
    @Test
    void outsideSubmittersAreServedWhileCallbackLoopsSaturateTheReactor() throws Exception {
        try (ResubmissionEngine e = open(chain.path, options().withMaxInflightRequests(4))) {
            AtomicInteger running = new AtomicInteger(1);
            AtomicInteger loopsDone = new AtomicInteger();
            AtomicReference<BiConsumer<XrpResult<long[]>, Throwable>> loop = new AtomicReference<>();
            loop.set((r, failure) -> {
                if (failure == null && running.get() == 1) {
                    e.submit(ChainFunctions.chase(r.value()[1] >= 0 ? (int) (r.value()[1] % RECORDS) : 0, 3), loop.get());
                } else {
                    loopsDone.incrementAndGet();
                }
            });
            int loops = 12; // three times the request slots
            for (int i = 0; i < loops; i++) {
                e.submit(ChainFunctions.chase(i, 3), loop.get());
            }
            for (int i = 0; i < 20; i++) {
                XrpResult<long[]> r = e.submit(ChainFunctions.chase(100 + i, 2)).get(10, TimeUnit.SECONDS);
                assertEquals(Outcome.OK, r.outcome());
            }
            running.set(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loopsDone.get() < loops && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(loops, loopsDone.get(), "every loop ended");
        }
    }

    @Test
    void aCallbackThatThrowsDoesNotStopTheReactor() throws Exception {
        CompletableFuture<Boolean> called = new CompletableFuture<>();
        engine.submit(ChainFunctions.chase(3, 2), (r, failure) -> {
            called.complete(r != null && r.ok());
            throw new IllegalStateException("a caller's bug");
        });
        assertTrue(called.get(10, TimeUnit.SECONDS));
        assertEquals(Outcome.OK, engine.execute(ChainFunctions.chase(5, 3)).outcome());
    }

    @Test
    void closeWithCallbacksThatKeepSubmitting() throws Exception {
        ResubmissionEngine e = open(chain.path, options().withMaxInflightRequests(64)
                .withDrainTimeoutMillis(2_000));
        int loops = 32;
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger submits = new AtomicInteger();
        AtomicReference<BiConsumer<XrpResult<long[]>, Throwable>> loop = new AtomicReference<>();
        loop.set((r, failure) -> {
            calls.incrementAndGet();
            if (failure != null) {
                failures.incrementAndGet(); // the loop ends here, as a caller's would
                return;
            }
            submits.incrementAndGet();
            e.submit(ChainFunctions.chase(calls.get() % RECORDS, 10), loop.get());
        });
        for (int i = 0; i < loops; i++) {
            submits.incrementAndGet();
            e.submit(ChainFunctions.chase(i, 10), loop.get());
        }
        Thread.sleep(100);
        e.close();
        // every submission gets exactly one call: the loops end with a failure, none hangs
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.get() < submits.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(submits.get(), calls.get(), "callbacks missing after close");
        assertEquals(loops, failures.get(), "each loop ends with exactly one failure");
    }

    /**
     * A request asking for a small scratch gets exactly that much, zeroed, even in a slot an earlier
     * request dirtied all over; an access past it is a function error; the page is whole again for
     * the next request that asks for all of it.
     */
    @Test
    void scratchBytesBoundWhatARequestSees() throws Exception {
        StorageFunction dirty = ctx -> {
            ctx.scratch().fill((byte) 0x5A);
            ctx.setDone();
            return 0;
        };
        ScratchReader<Long> size = s -> s.byteSize();
        for (int round = 0; round < 300; round++) { // every slot of the reactor, several times
            assertEquals(Outcome.OK, engine.execute(XrpRequest.of(dirty, 0, 512, size)).outcome());
            long[] seen = new long[2];
            StorageFunction check = ctx -> {
                MemorySegment s = ctx.scratch();
                seen[0] = s.byteSize();
                seen[1] = s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])); // -1: all zero
                ctx.setDone();
                return 0;
            };
            XrpResult<Long> small = engine.execute(XrpRequest.of(check, 0, 512, size).withScratchBytes(96));
            assertEquals(Outcome.OK, small.outcome());
            assertEquals(96, seen[0]);
            assertEquals(-1, seen[1], "a small scratch starts zeroed");
            assertEquals(96L, small.value(), "the reader sees the same size");
        }
        StorageFunction past = ctx -> {
            ctx.scratch().set(java.lang.foreign.ValueLayout.JAVA_LONG, 96, 1);
            ctx.setDone();
            return 0;
        };
        assertEquals(Outcome.FUNCTION_ERROR, engine.execute(XrpRequest.of(past, 0, 512, size).withScratchBytes(96)).outcome());
        assertEquals(4096L, engine.execute(XrpRequest.of(dirty, 0, 512, size)).value());
        assertThrows(IllegalArgumentException.class, () -> XrpRequest.of(dirty, 0, 512, size).withScratchBytes(0));
        assertThrows(IllegalArgumentException.class, () -> XrpRequest.of(dirty, 0, 512, size).withScratchBytes(4097));
    }

    @Test
    void openingAMissingFileFails() {
        assertThrows(IOException.class, () -> open(file("does-not-exist"), options()));
    }
}
