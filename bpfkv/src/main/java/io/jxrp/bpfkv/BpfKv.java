package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockChecksums;
import io.jxrp.bpfkv.io.EngineBlockReader;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.engine.EngineStats;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetOptions;
import io.jxrp.engine.TargetSpec;
import io.jxrp.engine.XrpRequest;
import io.jxrp.engine.XrpResult;
import io.jxrp.engine.backend.IoBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BPF-KV database (the original's file format): point lookups, scatter-gather lookups, range
 * scans and aggregations. In {@link BpfKvOptions.Mode#ENGINE engine mode} each operation is an
 * engine request driven by Java storage functions, and any outcome other than OK falls back to the
 * synchronous pread traversal (counted in {@link #stats()}); in {@link BpfKvOptions.Mode#PREAD pread
 * mode} only the pread traversal runs. A database on an NVMe namespace ({@link #open(TargetSpec,
 * BpfKvOptions)}) has no pread path: there such an operation fails, saying where. Thread-safe.
 *
 * <p>The futures of the async variants may complete on the engine's reactor thread: attach heavy
 * work with the {@code *Async} stages, and never call a blocking method of this class from such a
 * stage (it would wait for the thread it runs on).
 *
 * <p>Integrity: where the database has a checksum sidecar ({@code <file>.crc32c}, made by
 * {@code create} or {@code bpfkv checksum}) every block is verified before anything reads it, in
 * the engine (a {@link io.jxrp.engine.BlockVerifier} on the database's target: before the storage
 * function sees the block, on every backend, for Java and eBPF functions alike; a mismatch ends the
 * request as {@link Outcome#CORRUPT}) and on the pread path, which the engine's failures fall back to:
 * a corrupt block is a {@link BpfKvChecksumException} with its offset, never an answer.
 *
 * <p>Close: {@link #close()} refuses new operations at once (they throw, or their future fails with,
 * {@link IllegalStateException} "database is closed"; a stream's next step too), lets every operation
 * already accepted (synchronous calls in progress, async ones not yet completed, including their
 * fallbacks to the pread path) finish within the engine's drain timeout
 * ({@link io.jxrp.engine.EngineOptions#drainTimeoutMillis()}), then fails what is left with that same
 * exception and releases the engine, the threads and the file.
 *
 * <pre>{@code
 * try (BpfKv db = BpfKv.open(Path.of("data/bpfkv-4.db"), BpfKvOptions.defaults().withCacheLevels(1))) {
 *     Optional<byte[]> value = db.get(42);                         // 64 bytes: "%63d" of 42 and a NUL
 *     List<KeyValue> pairs = db.range(100, 200).toList();          // keys 100..199 in order
 *     Aggregate agg = db.aggregate(KeyRange.of(0, 1000));          // count, sum, min, max, avg()
 *     CompletableFuture<Optional<byte[]>> later = db.getAsync(7);
 * }
 * }</pre>
 */
public final class BpfKv implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BpfKv.class);
    /** The message of the one exception ({@link IllegalStateException}) for work after {@link #close()}. */
    public static final String CLOSED = "database is closed";

    private final Path file;
    private final BpfKvOptions options;
    private final PreadTraversal pread;
    private final ResubmissionEngine engine;
    /** The database on the engine, with the checksum verifier when there is a sidecar. */
    private final Target target;
    private final EngineOps engineOps;
    /** Runs async pread work, fallbacks and the blocking loops behind the async scans: virtual threads. */
    private final ExecutorService asyncExecutor;
    /** Operations accepted and not yet finished. */
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closed;
    /** Set when close() stopped waiting: what fails from then on fails as "database is closed". */
    private volatile boolean abandoned;

    private BpfKv(Path file, BpfKvOptions options, PreadTraversal pread, ResubmissionEngine engine, Target target,
                  ExecutorService asyncExecutor, EngineOps engineOps) {
        this.file = file;
        this.options = options;
        this.pread = pread;
        this.engine = engine;
        this.target = target;
        this.asyncExecutor = asyncExecutor;
        this.engineOps = engineOps;
    }

    /** EngineOps' runner: every request reads the database's target (the one with the verifier). */
    private record TargetRunner(ResubmissionEngine engine, Target target) implements EngineOps.Runner {
        @Override
        public <T> void submit(XrpRequest<T> request, BiConsumer<? super XrpResult<T>, ? super Throwable> callback) {
            engine.submit(request.withTarget(target), callback);
        }
    }

    /**
     * Opens {@code file}: checks its size against the layer count and its root (and the cached levels),
     * loads its checksum sidecar (as {@link BpfKvOptions#checksums()} says), then starts the engine in
     * engine mode.
     *
     * @throws BpfKvFormatException when the file is not a valid BPF-KV database, or its sidecar is
     *     damaged, stale, or required and missing
     */
    public static BpfKv open(Path file, BpfKvOptions options) throws IOException {
        return open(file, options, null);
    }

    /**
     * Opens the database at {@code target}: a file (as {@link #open(Path, BpfKvOptions)}), or an NVMe
     * namespace that holds it from offset 0, as the original BPF-KV's SPDK mode lays it out
     * ({@code spdk:<transport ID> [ns:N]}, {@link TargetSpec#parse}). On a namespace the layer count is
     * found by descending from the root to a leaf ({@link BpfKvOptions#layers()}, when set, must agree),
     * the root and the cached levels are read and checked through the engine, and there is no pread
     * path: engine mode only, and an operation whose request ends with any outcome but OK fails (a
     * {@link BpfKvFormatException} or an {@link EngineOutcomeException}, with the offset) instead of
     * falling back. A namespace has no checksum sidecar. Put a database on a namespace with
     * {@link io.jxrp.bpfkv.io.DbBuilder#create(TargetSpec, int, io.jxrp.bpfkv.io.DbBuilder.Options)}.
     *
     * @throws IllegalArgumentException pread mode or required checksums on a namespace, or a backend
     *     that cannot serve the target
     */
    public static BpfKv open(TargetSpec target, BpfKvOptions options) throws IOException {
        if (!target.isSpdk()) {
            return open(target.path(), options);
        }
        if (options.mode() != BpfKvOptions.Mode.ENGINE) {
            throw new IllegalArgumentException(target + ": a namespace has no pread path (SPDK's driver owns it); "
                    + "open it in engine mode");
        }
        if (options.checksums() == BpfKvOptions.Checksums.REQUIRE) {
            throw new IllegalArgumentException(target + ": checksums are required, but a namespace has no checksum "
                    + "sidecar");
        }
        ResubmissionEngine engine = ResubmissionEngine.open(options.engine());
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        PreadTraversal traversal = null;
        try {
            Target namespace = engine.addTarget(target, TargetOptions.defaults());
            traversal = PreadTraversal.open(EngineBlockReader.over(engine, namespace), options.layers(),
                    options.cacheLevels());
            StorageFunctions functions = options.functions().create(traversal.layout(), traversal.fileSizeBytes());
            EngineOps ops = new EngineOps(traversal, new TargetRunner(engine, namespace), executor, 0, 0, functions,
                    EngineOps.OnFailure.FAIL);
            return new BpfKv(null, options, traversal, engine, namespace, executor, ops);
        } catch (IOException | RuntimeException e) {
            executor.close();
            engine.close();
            if (traversal != null) {
                traversal.close();
            }
            throw e;
        }
    }

    /** As {@link #open(Path, BpfKvOptions)}, the engine driving {@code backend} when not null (tests, fault injection). */
    static BpfKv open(Path file, BpfKvOptions options, IoBackend backend) throws IOException {
        PreadTraversal pread = PreadTraversal.open(file, options);
        ResubmissionEngine engine = null;
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Target target = null;
            EngineOps ops = null;
            if (options.mode() == BpfKvOptions.Mode.ENGINE) {
                engine = backend == null ? ResubmissionEngine.open(options.engine())
                        : ResubmissionEngine.open(options.engine(), backend);
                BlockChecksums checksums = pread.checksums();
                target = engine.addTarget(TargetSpec.of(file), checksums == null ? TargetOptions.defaults()
                        : TargetOptions.defaults().withVerifier(checksums));
                StorageFunctions functions = options.functions().create(pread.layout(), pread.fileSizeBytes());
                ops = new EngineOps(pread, new TargetRunner(engine, target), executor, 0, 0, functions);
            }
            return new BpfKv(file, options, pread, engine, target, executor, ops);
        } catch (IOException | RuntimeException e) {
            if (engine != null) {
                engine.close();
            }
            executor.close();
            pread.close();
            throw e;
        }
    }

    /** The database file, or null for a database on a namespace. */
    public Path file() {
        return file;
    }

    /** The file or the namespace (its target spec), as messages name it. */
    public String source() {
        return pread.source();
    }

    public BpfKvOptions options() {
        return options;
    }

    public TreeLayout layout() {
        return pread.layout();
    }

    /** The engine's backend and why it was chosen, or "pread" in pread mode. */
    public String backendDescription() {
        return target == null ? "pread" : target.backendName() + " (" + target.backendReason() + ")";
    }

    /** The checksum sidecar every block is verified against, or empty when there is none (or checksums are off). */
    public Optional<Path> checksumSidecar() {
        return Optional.ofNullable(pread.checksums()).map(BlockChecksums::sidecar);
    }

    // ---- the close contract -------------------------------------------------------------------

    /** Accepts one operation, or refuses it when closed. Pair with {@link #leave()}. */
    private void enter() {
        active.incrementAndGet();
        if (closed) {
            active.decrementAndGet();
            throw new IllegalStateException(CLOSED);
        }
    }

    private void leave() {
        active.decrementAndGet();
    }

    /** What an accepted operation's failure becomes: itself, or "database is closed" once close() gave up waiting. */
    private Throwable failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return abandoned ? new IllegalStateException(CLOSED, cause) : cause;
    }

    @FunctionalInterface
    private interface IoOperation<T> {
        T run() throws IOException;
    }

    /** Runs a synchronous operation under the close contract. */
    private <T> T accepted(IoOperation<T> operation) throws IOException {
        enter();
        try {
            T value = operation.run();
            if (abandoned) {
                throw new IllegalStateException(CLOSED); // finished after close() stopped waiting for it
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (abandoned) {
                throw new IllegalStateException(CLOSED, e);
            }
            throw e;
        } finally {
            leave();
        }
    }

    /** Runs an asynchronous operation under the close contract: accepted now, finished when its future completes. */
    private <T> CompletableFuture<T> acceptedAsync(java.util.function.Supplier<CompletableFuture<T>> operation) {
        try {
            enter();
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> started;
        try {
            started = operation.get();
        } catch (RuntimeException e) {
            leave();
            return CompletableFuture.failedFuture(failure(e));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        started.whenComplete((value, error) -> {
            leave();
            if (error != null || abandoned) {
                result.completeExceptionally(error != null ? failure(error) : new IllegalStateException(CLOSED));
            } else {
                result.complete(value);
            }
        });
        return result;
    }

    // ---- point lookups ------------------------------------------------------------------------

    /** The 64-byte value of {@code key} (decimal text, NUL-terminated), or empty when absent. */
    public Optional<byte[]> get(long key) throws IOException {
        return accepted(() -> engineOps != null ? engineOps.get(key) : pread.get(key));
    }

    public CompletableFuture<Optional<byte[]>> getAsync(long key) {
        return acceptedAsync(() -> engineOps != null ? engineOps.getAsync(key) : supplyAsync(() -> pread.get(key)));
    }

    /**
     * Looks {@code key} up and calls {@code callback} once with the value (empty when absent) or
     * the failure. The cheapest asynchronous lookup: in engine mode the callback usually runs on
     * the engine's reactor thread, and a lookup submitted from there (a closed loop) stays on it
     * without a hand-off. Keep the callback short and never block in it.
     */
    public void getAsync(long key, BiConsumer<? super Optional<byte[]>, ? super Throwable> callback) {
        try {
            enter();
        } catch (IllegalStateException e) {
            callback.accept(null, e);
            return;
        }
        BiConsumer<Optional<byte[]>, Throwable> finishing = (value, error) -> {
            try {
                if (error != null || abandoned) {
                    callback.accept(null, error != null ? failure(error) : new IllegalStateException(CLOSED));
                } else {
                    callback.accept(value, null);
                }
            } finally {
                leave();
            }
        };
        if (engineOps != null) {
            engineOps.getAsync(key, finishing);
            return;
        }
        pread.getOn(asyncExecutor, key, finishing);
    }

    /** Values of {@code keys} in argument order; in engine mode up to 32 keys per request. */
    public List<Optional<byte[]>> getAll(long... keys) throws IOException {
        return accepted(() -> engineOps != null ? engineOps.getAll(keys) : pread.getAll(keys));
    }

    public CompletableFuture<List<Optional<byte[]>>> getAllAsync(long... keys) {
        return acceptedAsync(() -> engineOps != null ? engineOps.getAllAsync(keys) : supplyAsync(() -> pread.getAll(keys)));
    }

    // ---- range scans and aggregates -------------------------------------------------------------

    /** The pairs with {@code begin <= key < end}, in key order, fetched lazily. */
    public Stream<KeyValue> range(long begin, long end) {
        return range(KeyRange.of(begin, end));
    }

    /**
     * The pairs of {@code range}, in key order, fetched lazily (in engine mode a request at a time,
     * each resuming where the last stopped). Errors surface as {@link UncheckedIOException}. Each step
     * of the stream is an operation of its own: after {@link #close()} the next one throws
     * {@link IllegalStateException} "database is closed".
     */
    public Stream<KeyValue> range(KeyRange range) {
        enter();
        Iterator<KeyValue> iterator;
        try {
            iterator = engineOps != null ? engineOps.iterator(range) : pread.iterator(range);
        } finally {
            leave();
        }
        Iterator<KeyValue> guarded = new Iterator<>() {
            @Override
            public boolean hasNext() {
                enter();
                try {
                    return iterator.hasNext();
                } catch (RuntimeException e) {
                    if (abandoned) {
                        throw new IllegalStateException(CLOSED, e);
                    }
                    throw e;
                } finally {
                    leave();
                }
            }

            @Override
            public KeyValue next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return iterator.next(); // buffered by hasNext: no I/O
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(guarded,
                Spliterator.ORDERED | Spliterator.SORTED | Spliterator.DISTINCT | Spliterator.NONNULL), false);
    }

    public CompletableFuture<List<KeyValue>> rangeAsync(KeyRange range) {
        return acceptedAsync(() -> supplyAsync(() -> {
            Iterator<KeyValue> iterator = engineOps != null ? engineOps.iterator(range) : pread.iterator(range);
            List<KeyValue> pairs = new java.util.ArrayList<>();
            try {
                iterator.forEachRemaining(pairs::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return List.copyOf(pairs);
        }));
    }

    /** Count, sum, min, max and avg of the values of {@code range}, parsed as decimal numbers. */
    public Aggregate aggregate(KeyRange range) throws IOException {
        return accepted(() -> engineOps != null ? engineOps.aggregate(range) : pread.aggregate(range));
    }

    /** One aggregate of the values with {@code begin <= key < end}. */
    public Number aggregate(long begin, long end, AggregateOp op) throws IOException {
        return aggregate(KeyRange.of(begin, end)).get(op);
    }

    public CompletableFuture<Aggregate> aggregateAsync(KeyRange range) {
        return acceptedAsync(() -> supplyAsync(() -> engineOps != null ? engineOps.aggregate(range) : pread.aggregate(range)));
    }

    // ---- statistics -----------------------------------------------------------------------------

    /**
     * What the engine path did.
     *
     * @param engineRequests requests submitted to the engine
     * @param fallbacks      operations redone on the pread path (on a namespace: failed), by the
     *                       engine's outcome (OK: the answer failed a sanity check or the request
     *                       completed exceptionally)
     */
    public record Stats(long engineRequests, Map<Outcome, Long> fallbacks) {
        public long totalFallbacks() {
            return fallbacks.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public Stats stats() {
        return engineOps == null ? new Stats(0, Map.of()) : new Stats(engineOps.requests(), engineOps.fallbacks());
    }

    /** The engine's counters (hops, outcomes, reactor CPU time), or empty in pread mode. */
    public Optional<EngineStats> engineStats() {
        return engine == null ? Optional.empty() : Optional.of(engine.stats());
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Refuses new operations ({@link IllegalStateException} "database is closed"), lets the accepted
     * ones finish within the engine's drain timeout, fails what is left then with that same exception,
     * and releases the engine, the threads and the file. Idempotent. Not from a callback of this
     * database (it would wait for its own operation).
     */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.engine().drainTimeoutMillis());
        while (active.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (active.get() > 0) {
            abandoned = true;
            LOG.warn("{}: {} operation(s) still running after the drain timeout fail as closed", source(), active.get());
        }
        try {
            if (engine != null) {
                engine.close(); // fails what is left in the engine; their fallbacks fail as closed
            }
        } finally {
            try {
                asyncExecutor.shutdown();
                if (!asyncExecutor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    abandoned = true;
                    asyncExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                asyncExecutor.shutdownNow();
            } finally {
                pread.close();
            }
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private <T> CompletableFuture<T> supplyAsync(IoSupplier<T> supplier) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return supplier.get();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, asyncExecutor);
    }
}
