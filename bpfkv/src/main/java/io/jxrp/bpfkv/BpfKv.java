package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockChecksums;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.DbLoader;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.store.Store;
import io.jxrp.engine.EngineStats;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.TargetSpec;
import io.jxrp.engine.backend.IoBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.List;
import java.util.Map;
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
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BPF-KV database (the original's file format) holding the user's own keys (any u64 but 2^64 - 1)
 * and values (up to 64 bytes): point lookups, scatter-gather lookups, range scans and aggregations,
 * and, opened {@link BpfKvOptions#withWritable writable}, durable puts and deletes. In
 * {@link BpfKvOptions.Mode#ENGINE engine mode} each lookup is an engine request driven by the
 * storage functions, and any outcome other than OK falls back to the synchronous pread traversal
 * (counted in {@link #stats()}); in {@link BpfKvOptions.Mode#PREAD pread mode} only the pread
 * traversal runs. A database on an NVMe namespace ({@link #open(TargetSpec, BpfKvOptions)}) is read-only
 * and has no pread path: there such an operation fails, saying where. Thread-safe.
 *
 * <p>Writes: a put or delete completes once durable: the puts waiting when the committer is free go
 * out as one write-ahead-log record (asynchronous O_DIRECT write, then fdatasync, through the
 * engine) while the next group is prepared. Committed writes are served from memory above the tree
 * file until a checkpoint writes them into a new tree file in the original's layout (when
 * {@link BpfKvOptions#checkpointEntries()} keys wait, on {@link #checkpoint()}, and at close): the
 * storage functions and the original's tools only ever read complete, immutable files. A crash loses
 * no acknowledged write and applies no half group: the log is replayed at the next open.
 *
 * <p>Integrity: where a tree file has a checksum sidecar ({@code <file>.crc32c}, made by {@code create},
 * {@code load}, every checkpoint, or {@code bpfkv checksum}) every block is verified before anything
 * reads it, in the engine (a {@link io.jxrp.engine.BlockVerifier} on the file's target: before the
 * storage function sees the block, on every backend; a mismatch ends the request as
 * {@link Outcome#CORRUPT}) and on the pread path, which the engine's failures fall back to: a corrupt
 * block is a {@link BpfKvChecksumException} with its offset, never an answer.
 *
 * <p>Close: {@link #close()} refuses new operations at once (they throw, or their future fails with,
 * {@link IllegalStateException} "database is closed"; a stream's next step too), lets every operation
 * already accepted finish within the engine's drain timeout
 * ({@link io.jxrp.engine.EngineOptions#drainTimeoutMillis()}), then fails what is left with that same
 * exception, commits the writes accepted before it and releases the engine, the threads and the files.
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
    private static final Logger LOG = LoggerFactory.getLogger(BpfKv.class);
    /** The message of the one exception ({@link IllegalStateException}) for work after {@link #close()}. */
    public static final String CLOSED = "database is closed";

    private final Path file;
    private final BpfKvOptions options;
    private final Store store;
    /** Runs async pread work, fallbacks and the blocking loops behind the async scans: virtual threads. */
    private final ExecutorService asyncExecutor;
    /** Operations accepted and not yet finished. */
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closed;
    /** Set when close() stopped waiting: what fails from then on fails as "database is closed". */
    private volatile boolean abandoned;

    private BpfKv(Path file, BpfKvOptions options, Store store, ExecutorService asyncExecutor) {
        this.file = file;
        this.options = options;
        this.store = store;
        this.asyncExecutor = asyncExecutor;
    }

    /**
     * Opens {@code file}: finds its layout by descending from the root and checks it against the
     * file's size, replays its write-ahead log, starts the engine in engine mode and, when writable,
     * takes the writer's lock.
     *
     * @throws BpfKvFormatException when the file is not a valid BPF-KV database
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
        if (options.writable()) {
            throw new IllegalArgumentException(target + ": a database on a namespace is read-only here (its "
                    + "write-ahead log and checkpoints live in files): write it as a file, then copy it over");
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            return new BpfKv(null, options, Store.openNamespace(target, options, executor), executor);
        } catch (IOException | RuntimeException e) {
            executor.close();
            throw e;
        }
    }

    /** As {@link #open(Path, BpfKvOptions)}, the engine driving {@code backend} when not null (tests, fault injection). */
    static BpfKv open(Path file, BpfKvOptions options, IoBackend backend) throws IOException {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            return new BpfKv(file, options, Store.open(file, options, backend, executor), executor);
        } catch (IOException | RuntimeException e) {
            executor.close();
            throw e;
        }
    }

    /**
     * Bulk-loads {@code pairs} (any order; the last pair of a key wins) into a new database
     * {@code file} in the original's layout ({@link DbLoader}); refused when the file exists.
     */
    public static DbLoader.Result load(Path file, Stream<KeyValue> pairs) throws IOException {
        return load(file, pairs, DbBuilder.Options.defaults());
    }

    /** As {@link #load(Path, Stream)}, with the writer's options (overwrite, buffers, progress, O_DIRECT). */
    public static DbLoader.Result load(Path file, Stream<KeyValue> pairs, DbBuilder.Options options) throws IOException {
        try (pairs) {
            return DbLoader.load(file, pairs.iterator(), options);
        }
    }


    /** The database file, or null for a database on a namespace. */
    public Path file() {
        return file;
    }

    /** The file or the namespace (its target spec), as messages name it. */
    public String source() {
        return store.pread().source();
    }

    public BpfKvOptions options() {
        return options;
    }

    /** The tree file's layout now (a checkpoint changes it). */
    public TreeLayout layout() {
        return store.layout();
    }

    /** The engine's backend and why it was chosen, or "pread" in pread mode. */
    public String backendDescription() {
        return store.backendDescription();
    }

    /** The checksum sidecar every block of the current tree file is verified against, or empty when there is none (or checksums are off). */
    public Optional<Path> checksumSidecar() {
        return Optional.ofNullable(store.pread().checksums()).map(io.jxrp.bpfkv.io.BlockChecksums::sidecar);
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
    private <T> CompletableFuture<T> acceptedAsync(Supplier<CompletableFuture<T>> operation) {
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

    /**
     * The value of {@code key} as stored (up to 64 bytes; create's values are the key's decimal text
     * right-aligned in 63 characters), or empty when absent.
     *
     * @throws IllegalArgumentException for 2^64 - 1, the one u64 that is never a key
     */
    public Optional<byte[]> get(long key) throws IOException {
        return accepted(() -> store.get(key));
    }

    public CompletableFuture<Optional<byte[]>> getAsync(long key) {
        return acceptedAsync(() -> {
            CompletableFuture<Optional<byte[]>> future = new CompletableFuture<>();
            store.getAsync(key, (value, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(value);
                }
            });
            return future;
        });
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
        store.getAsync(key, (value, error) -> {
            try {
                if (error != null || abandoned) {
                    callback.accept(null, error != null ? failure(error) : new IllegalStateException(CLOSED));
                } else {
                    callback.accept(value, null);
                }
            } finally {
                leave();
            }
        });
    }

    /** Values of {@code keys} in argument order; in engine mode up to 32 keys per request. */
    public List<Optional<byte[]>> getAll(long... keys) throws IOException {
        return accepted(() -> store.getAll(keys));
    }

    public CompletableFuture<List<Optional<byte[]>>> getAllAsync(long... keys) {
        return acceptedAsync(() -> store.getAllAsync(keys));
    }

    // ---- range scans and aggregates -------------------------------------------------------------

    /** The pairs with {@code begin <= key < end} (unsigned), in key order, fetched lazily. */
    public Stream<KeyValue> range(long begin, long end) {
        return range(KeyRange.of(begin, end));
    }

    /**
     * The pairs of {@code range}, in key order, fetched lazily (in engine mode a request at a time,
     * each resuming where the last stopped). Close the stream (or read it to its end) to let go of
     * the tree file it reads. Errors surface as {@link UncheckedIOException}.
     */
    public Stream<KeyValue> range(KeyRange range) {
        enter();
        Store.CloseableIterator iterator;
        try {
            iterator = store.iterator(range);
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
                Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL), false).onClose(iterator::close);
    }

    public CompletableFuture<List<KeyValue>> rangeAsync(KeyRange range) {
        return acceptedAsync(() -> supplyAsync(() -> {
            try (Store.CloseableIterator iterator = store.iterator(range)) {
                List<KeyValue> pairs = new ArrayList<>();
                iterator.forEachRemaining(pairs::add);
                return List.copyOf(pairs);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }));
    }

    /** Count, sum, min, max and avg of the values of {@code range}, parsed as decimal numbers. */
    public Aggregate aggregate(KeyRange range) throws IOException {
        return accepted(() -> store.aggregate(range));
    }

    /** One aggregate of the values with {@code begin <= key < end}. */
    public Number aggregate(long begin, long end, AggregateOp op) throws IOException {
        return aggregate(KeyRange.of(begin, end)).get(op);
    }

    public CompletableFuture<Aggregate> aggregateAsync(KeyRange range) {
        return acceptedAsync(() -> supplyAsync(() -> store.aggregate(range)));
    }

    // ---- writes ---------------------------------------------------------------------------------

    /**
     * Puts {@code value} (up to 64 bytes, not ending in NUL) under {@code key}; returns once durable.
     *
     * @throws IllegalArgumentException for a key of 2^64 - 1 or a value that does not fit (nothing is written)
     * @throws IOException              when the commit failed (full disk, I/O error): the database is as
     *                                  at its last commit
     */
    public void put(long key, byte[] value) throws IOException {
        join(putAsync(key, value));
    }

    /** Puts the UTF-8 bytes of {@code value}. */
    public void put(long key, String value) throws IOException {
        put(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** As {@link #put(long, byte[])}; the future completes once the put is durable (on a reactor thread). */
    public CompletableFuture<Void> putAsync(long key, byte[] value) {
        return acceptedAsync(() -> store.putAsync(key, value));
    }

    /** Puts every pair, in order (a later pair of a key wins); returns once all are durable. */
    public void putAll(Collection<KeyValue> pairs) throws IOException {
        join(putAllAsync(pairs));
    }

    /** As {@link #putAll}; the pairs share group commits with each other and with other writers. */
    public CompletableFuture<Void> putAllAsync(Collection<KeyValue> pairs) {
        List<CompletableFuture<Void>> puts = new ArrayList<>(pairs.size());
        for (KeyValue pair : pairs) {
            puts.add(putAsync(pair.key(), pair.value()));
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture<?>[]::new));
    }

    /** Deletes {@code key} (nothing happens when it is absent); returns once durable. */
    public void delete(long key) throws IOException {
        join(deleteAsync(key));
    }

    public CompletableFuture<Void> deleteAsync(long key) {
        return acceptedAsync(() -> store.deleteAsync(key));
    }

    /**
     * Calls {@code listener} after each durable group with the number of writes committed since the
     * database was opened (on a reactor thread: keep it short).
     */
    public void onCommit(LongConsumer listener) {
        store.onCommit(listener);
    }

    /**
     * Writes every committed put and delete into a new tree file now (compaction): a packed file in
     * the original's layout replaces the database, readers move to it, the write-ahead log it folded
     * is deleted. Lookups and writes go on meanwhile.
     */
    public void checkpoint() throws IOException {
        accepted(() -> {
            store.checkpoint();
            return null;
        });
    }

    /** Writes committed (durable) since the database was opened. */
    public long committed() {
        return store.committed();
    }

    /** Committed writes waiting in memory for the next checkpoint. */
    public long pendingWrites() {
        return store.pendingEntries();
    }

    /** Checkpoints done since open. */
    public long checkpoints() {
        return store.checkpoints();
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

    /** The engine path's counters for the current tree file. */
    public Stats stats() {
        EngineOps ops = store.engineOps();
        return ops == null ? new Stats(0, Map.of()) : new Stats(ops.requests(), ops.fallbacks());
    }

    /** The engine's counters (hops, outcomes, reactor CPU time), or empty in pread mode. */
    public Optional<EngineStats> engineStats() {
        ResubmissionEngine engine = store.engine();
        return engine == null ? Optional.empty() : Optional.of(engine.stats());
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Refuses new operations ({@link IllegalStateException} "database is closed"), lets the accepted
     * ones finish within the engine's drain timeout (writes: until they are durable), fails what is
     * left then with that same exception, folds the log into the tree file when
     * {@link BpfKvOptions#checkpointOnClose()}, and releases the engine, the threads and the files.
     * Idempotent. Not from a callback of this database (it would wait for its own operation).
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
            store.close(); // commits what the committer holds, checkpoints, then closes the engine
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

    private static void join(CompletableFuture<?> future) throws IOException {
        try {
            future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }
}
