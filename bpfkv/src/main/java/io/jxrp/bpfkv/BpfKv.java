package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.engine.EngineStats;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.backend.IoBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A BPF-KV database (the original's file format): point lookups, scatter-gather lookups, range
 * scans and aggregations. In {@link BpfKvOptions.Mode#ENGINE engine mode} each operation is an
 * engine request driven by Java storage functions, and any outcome other than OK falls back to the
 * synchronous pread traversal (counted in {@link #stats()}); in {@link BpfKvOptions.Mode#PREAD pread
 * mode} only the pread traversal runs. Thread-safe.
 *
 * <p>The futures of the async variants may complete on the engine's reactor thread: attach heavy
 * work with the {@code *Async} stages, and never call a blocking method of this class from such a
 * stage (it would wait for the thread it runs on).
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
    private final Path file;
    private final BpfKvOptions options;
    private final PreadTraversal pread;
    private final ResubmissionEngine engine;
    private final EngineOps engineOps;
    /** Runs async pread work, fallbacks and the blocking loops behind the async scans: virtual threads. */
    private final ExecutorService asyncExecutor;

    private BpfKv(Path file, BpfKvOptions options, PreadTraversal pread, ResubmissionEngine engine,
                  ExecutorService asyncExecutor, EngineOps engineOps) {
        this.file = file;
        this.options = options;
        this.pread = pread;
        this.engine = engine;
        this.asyncExecutor = asyncExecutor;
        this.engineOps = engineOps;
    }

    /**
     * Opens {@code file}: checks its size against the layer count and its root (and the cached levels),
     * then starts the engine in engine mode.
     *
     * @throws BpfKvFormatException when the file is not a valid BPF-KV database
     */
    public static BpfKv open(Path file, BpfKvOptions options) throws IOException {
        return open(file, options, null);
    }

    /** As {@link #open(Path, BpfKvOptions)}, the engine driving {@code backend} when not null (tests, fault injection). */
    static BpfKv open(Path file, BpfKvOptions options, IoBackend backend) throws IOException {
        PreadTraversal pread = PreadTraversal.open(file, options);
        ResubmissionEngine engine = null;
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            EngineOps ops = null;
            if (options.mode() == BpfKvOptions.Mode.ENGINE) {
                engine = backend == null ? ResubmissionEngine.open(file, options.engine())
                        : ResubmissionEngine.open(file, options.engine(), backend);
                ResubmissionEngine started = engine;
                StorageFunctions functions = options.functions().create(pread.layout(), pread.fileSizeBytes());
                ops = new EngineOps(pread, started::submit, executor, 0, 0, functions);
            }
            return new BpfKv(file, options, pread, engine, executor, ops);
        } catch (IOException | RuntimeException e) {
            if (engine != null) {
                engine.close();
            }
            executor.close();
            pread.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public BpfKvOptions options() {
        return options;
    }

    public TreeLayout layout() {
        return pread.layout();
    }

    /** The engine's backend and why it was chosen, or "pread" in pread mode. */
    public String backendDescription() {
        return engine == null ? "pread" : engine.backendName() + " (" + engine.backendReason() + ")";
    }

    // ---- point lookups ------------------------------------------------------------------------

    /** The 64-byte value of {@code key} (decimal text, NUL-terminated), or empty when absent. */
    public Optional<byte[]> get(long key) throws IOException {
        return engineOps != null ? engineOps.get(key) : pread.get(key);
    }

    public CompletableFuture<Optional<byte[]>> getAsync(long key) {
        return engineOps != null ? engineOps.getAsync(key) : supplyAsync(() -> pread.get(key));
    }

    /**
     * Looks {@code key} up and calls {@code callback} once with the value (empty when absent) or
     * the failure. The cheapest asynchronous lookup: in engine mode the callback usually runs on
     * the engine's reactor thread, and a lookup submitted from there (a closed loop) stays on it
     * without a hand-off. Keep the callback short and never block in it.
     */
    public void getAsync(long key, BiConsumer<? super Optional<byte[]>, ? super Throwable> callback) {
        if (engineOps != null) {
            engineOps.getAsync(key, callback);
            return;
        }
        pread.getOn(asyncExecutor, key, callback);
    }

    /** Values of {@code keys} in argument order; in engine mode up to 32 keys per request. */
    public List<Optional<byte[]>> getAll(long... keys) throws IOException {
        return engineOps != null ? engineOps.getAll(keys) : pread.getAll(keys);
    }

    public CompletableFuture<List<Optional<byte[]>>> getAllAsync(long... keys) {
        return engineOps != null ? engineOps.getAllAsync(keys) : supplyAsync(() -> pread.getAll(keys));
    }

    // ---- range scans and aggregates -------------------------------------------------------------

    /** The pairs with {@code begin <= key < end}, in key order, fetched lazily. */
    public Stream<KeyValue> range(long begin, long end) {
        return range(KeyRange.of(begin, end));
    }

    /**
     * The pairs of {@code range}, in key order, fetched lazily (in engine mode a request at a time,
     * each resuming where the last stopped). Errors surface as {@link UncheckedIOException}.
     */
    public Stream<KeyValue> range(KeyRange range) {
        Iterator<KeyValue> iterator = engineOps != null ? engineOps.iterator(range) : pread.iterator(range);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator,
                Spliterator.ORDERED | Spliterator.SORTED | Spliterator.DISTINCT | Spliterator.NONNULL), false);
    }

    public CompletableFuture<List<KeyValue>> rangeAsync(KeyRange range) {
        return supplyAsync(() -> {
            try (Stream<KeyValue> pairs = range(range)) {
                return pairs.toList();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        });
    }

    /** Count, sum, min, max and avg of the values of {@code range}, parsed as decimal numbers. */
    public Aggregate aggregate(KeyRange range) throws IOException {
        return engineOps != null ? engineOps.aggregate(range) : pread.aggregate(range);
    }

    /** One aggregate of the values with {@code begin <= key < end}. */
    public Number aggregate(long begin, long end, AggregateOp op) throws IOException {
        return aggregate(KeyRange.of(begin, end)).get(op);
    }

    public CompletableFuture<Aggregate> aggregateAsync(KeyRange range) {
        return supplyAsync(() -> aggregate(range));
    }

    // ---- statistics -----------------------------------------------------------------------------

    /**
     * What the engine path did.
     *
     * @param engineRequests requests submitted to the engine
     * @param fallbacks      operations redone on the pread path, by the engine's outcome (OK: the
     *                       answer failed a sanity check or the request completed exceptionally)
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

    @Override
    public void close() throws IOException {
        try {
            asyncExecutor.close(); // lets async operations finish
        } finally {
            try {
                if (engine != null) {
                    engine.close();
                }
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
