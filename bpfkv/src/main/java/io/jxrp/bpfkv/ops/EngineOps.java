package io.jxrp.bpfkv.ops;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.EngineOutcomeException;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.function.GetFunction;
import io.jxrp.bpfkv.function.MultiGetFunction;
import io.jxrp.bpfkv.function.RangeScanFunction;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.XrpRequest;
import io.jxrp.engine.XrpResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * BPF-KV's operations as engine requests with the Java storage functions, and the slow path: any
 * outcome other than OK (or an answer that does not add up) is counted and the operation, or the
 * rest of a scan, is redone on {@link PreadTraversal}, which reports a corrupt file precisely.
 *
 * <p>A database on an NVMe namespace has no pread path ({@link OnFailure#FAIL}): the operation
 * fails instead. Its traversal reads through the engine ({@link io.jxrp.bpfkv.io.EngineBlockReader})
 * and re-walks the failed request's path, fully checked, to say where the problem is: a corrupt node
 * is a {@link BpfKvFormatException} at its offset, a failed read an {@link EngineOutcomeException} at
 * the read's offset; when the re-walk finds nothing wrong, the request's own outcome is reported.
 */
public final class EngineOps {
    /** What an outcome other than OK leads to. */
    public enum OnFailure {
        /** The operation is redone on the pread path (a file). */
        PREAD_FALLBACK,
        /** The operation fails, after a checked re-walk of its path says where (a namespace: no pread). */
        FAIL
    }

    /** Where requests go: the engine, or a test's driver. */
    public interface Runner {
        /** Runs {@code request}; {@code callback} gets the result or the failure, once. */
        <T> void submit(XrpRequest<T> request, BiConsumer<? super XrpResult<T>, ? super Throwable> callback);

        default <T> CompletableFuture<XrpResult<T>> submit(XrpRequest<T> request) {
            CompletableFuture<XrpResult<T>> future = new CompletableFuture<>();
            submit(request, completing(future));
            return future;
        }
    }

    /** A callback that completes {@code future} with the value or the failure. */
    private static <T> BiConsumer<T, Throwable> completing(CompletableFuture<T> future) {
        return (value, failure) -> {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(value);
            }
        };
    }

    private final PreadTraversal pread;
    private final OnFailure onFailure;
    private final Runner runner;
    /** What runs the requests; the Java function objects below only build them. */
    private final StorageFunctions functions;
    private final Executor fallbackExecutor;
    private final TreeLayout layout;
    private final GetFunction getFunction;
    private final MultiGetFunction multiGetFunction;
    private final RangeScanFunction rangeFunction;
    private final int pairsPerRequest;
    private final int aggregateEntriesPerRequest;
    private final LongAdder requests = new LongAdder();
    private final LongAdder[] fallbacks = new LongAdder[Outcome.values().length];
    /** Requests that completed exceptionally, or whose answer failed the sanity checks. */
    private final LongAdder fallbacksOther = new LongAdder();

    /**
     * @param pairsPerRequest            pairs one range request may return (0 = as many as fit)
     * @param aggregateEntriesPerRequest values one aggregate request may fold (0 = as many as fit)
     */
    public EngineOps(PreadTraversal pread, Runner runner, Executor fallbackExecutor, int pairsPerRequest,
              int aggregateEntriesPerRequest) {
        this(pread, runner, fallbackExecutor, pairsPerRequest, aggregateEntriesPerRequest,
                StorageFunctions.java(pread.layout(), pread.fileSizeBytes()));
    }

    /** As above, the requests run by {@code functions} (the Java ones, or others with the same scratch ABI). */
    public EngineOps(PreadTraversal pread, Runner runner, Executor fallbackExecutor, int pairsPerRequest,
              int aggregateEntriesPerRequest, StorageFunctions functions) {
        this(pread, runner, fallbackExecutor, pairsPerRequest, aggregateEntriesPerRequest, functions,
                OnFailure.PREAD_FALLBACK);
    }

    /**
     * As above; {@code onFailure} says whether a failed request is redone on {@code pread} or fails
     * (a namespace, where {@code pread} reads through the engine and only re-checks the path).
     */
    public EngineOps(PreadTraversal pread, Runner runner, Executor fallbackExecutor, int pairsPerRequest,
              int aggregateEntriesPerRequest, StorageFunctions functions, OnFailure onFailure) {
        this.functions = functions;
        this.pread = pread;
        this.onFailure = onFailure;
        this.runner = runner;
        this.fallbackExecutor = fallbackExecutor;
        this.layout = pread.layout();
        this.getFunction = new GetFunction(layout, pread.fileSizeBytes());
        this.multiGetFunction = new MultiGetFunction(layout, pread.fileSizeBytes());
        this.rangeFunction = new RangeScanFunction(layout, pread.fileSizeBytes());
        this.pairsPerRequest = pairsPerRequest;
        this.aggregateEntriesPerRequest = aggregateEntriesPerRequest;
        for (int i = 0; i < fallbacks.length; i++) {
            fallbacks[i] = new LongAdder();
        }
    }

    // ---- point lookups ----------------------------------------------------------------------

    public Optional<byte[]> get(long key) throws IOException {
        XrpRequest<Optional<byte[]>> request = getRequest(key);
        if (request == null) {
            return Optional.empty();
        }
        XrpResult<Optional<byte[]>> result;
        try {
            result = runner.submit(request).join();
        } catch (CompletionException | CancellationException e) {
            fallbacksOther.increment();
            return slowGet(key, null, e, request);
        }
        if (result.ok() && answerAddsUp(key, result.value())) {
            return result.value();
        }
        countFallback(result); // a dense file's in-range key must be found
        return slowGet(key, result, null, request);
    }

    /** The pread path's answer for {@code key}, or on a namespace the failure of the engine's. */
    private Optional<byte[]> slowGet(long key, XrpResult<?> result, Throwable error, XrpRequest<?> request)
            throws IOException {
        if (onFailure == OnFailure.FAIL) {
            throw failure("get(" + key + ")", result, error, request.offsets()[0], () -> pread.get(key));
        }
        return pread.get(key);
    }

    public CompletableFuture<Optional<byte[]>> getAsync(long key) {
        CompletableFuture<Optional<byte[]>> future = new CompletableFuture<>();
        getAsync(key, completing(future));
        return future;
    }

    /**
     * Looks {@code key} up and hands the value (or the failure) to {@code callback}: on the reactor
     * thread when the engine answers, on the fallback executor when the pread path redoes it, on
     * the calling thread when no request is needed.
     */
    public void getAsync(long key, BiConsumer<? super Optional<byte[]>, ? super Throwable> callback) {
        XrpRequest<Optional<byte[]>> request;
        try {
            request = getRequest(key);
        } catch (IOException e) {
            callback.accept(null, e);
            return;
        }
        if (request == null) {
            callback.accept(Optional.empty(), null);
            return;
        }
        runner.submit(request, (result, error) -> {
            if (error == null && result.ok() && answerAddsUp(key, result.value())) {
                callback.accept(result.value(), null);
                return;
            }
            countFallback(error == null ? result : null);
            if (onFailure == OnFailure.FAIL) { // the re-check waits for the engine: not on its reactor
                failOn(fallbackExecutor, callback, () -> failure("get(" + key + ")", error == null ? result : null,
                        error, request.offsets()[0], () -> pread.get(key)));
                return;
            }
            pread.getOn(fallbackExecutor, key, callback);
        });
    }

    /** A dense file (create's) holds every key of its range: one of them reported absent is a wrong answer. */
    private boolean answerAddsUp(long key, Optional<byte[]> value) {
        return value.isPresent() || !layout.isDense();
    }

    /** The request for {@code key}, or null when the key is out of range or the cache shows it absent. */
    private XrpRequest<Optional<byte[]>> getRequest(long key) throws IOException {
        PreadTraversal.requireKey(key);
        if (layout.isDense() && !layout.containsKey(key)) {
            return null;
        }
        if (pread.cachedLevels() == 0) {
            requests.increment();
            return getFunction.request(functions.get(), key, 0);
        }
        long[] bounds = new long[2];
        long start = pread.firstUncachedOffset(key, bounds);
        if (start < 0) {
            return null;
        }
        requests.increment();
        return getFunction.request(functions.get(), key, start, bounds[0], bounds[1]);
    }

    public List<Optional<byte[]>> getAll(long... keys) throws IOException {
        return join(getAllAsync(keys));
    }

    public CompletableFuture<List<Optional<byte[]>>> getAllAsync(long... keys) {
        List<CompletableFuture<List<Optional<byte[]>>>> groups = new ArrayList<>();
        for (int from = 0; from < keys.length; from += ScratchDescriptor.MULTI_MAX_KEYS) {
            long[] group = Arrays.copyOfRange(keys, from, Math.min(keys.length, from + ScratchDescriptor.MULTI_MAX_KEYS));
            groups.add(getGroupAsync(group));
        }
        return CompletableFuture.allOf(groups.toArray(CompletableFuture<?>[]::new)).thenApply(ignored -> {
            List<Optional<byte[]>> values = new ArrayList<>(keys.length);
            for (CompletableFuture<List<Optional<byte[]>>> group : groups) {
                values.addAll(group.join());
            }
            return values;
        });
    }

    private CompletableFuture<List<Optional<byte[]>>> getGroupAsync(long[] keys) {
        long[] starts = new long[keys.length];
        long[] los = new long[keys.length];
        long[] his = new long[keys.length];
        long[] bounds = new long[2];
        try {
            for (int i = 0; i < keys.length; i++) {
                PreadTraversal.requireKey(keys[i]);
                starts[i] = !layout.isDense() || layout.containsKey(keys[i]) ? pread.firstUncachedOffset(keys[i], bounds) : -1;
                los[i] = bounds[0];
                his[i] = bounds[1];
            }
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        XrpRequest<List<Optional<byte[]>>> request = multiGetFunction.request(functions.multiGet(), keys, starts, los, his);
        if (request == null) {
            return CompletableFuture.completedFuture(Collections.nCopies(keys.length, Optional.empty()));
        }
        requests.increment();
        return runner.submit(request).handle((result, error) -> {
            if (error == null && result.ok() && allInRangeFound(keys, result.value())) {
                return CompletableFuture.completedFuture(result.value());
            }
            countFallback(error == null ? result : null);
            return CompletableFuture.supplyAsync(() -> {
                try {
                    if (onFailure == OnFailure.FAIL) {
                        throw failure("getAll(" + keys.length + " keys from " + keys[0] + ")",
                                error == null ? result : null, error, request.offsets()[0], () -> pread.getAll(keys));
                    }
                    return pread.getAll(keys);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, fallbackExecutor);
        }).thenCompose(future -> future);
    }

    // ---- range scans and aggregates -----------------------------------------------------------

    /** Requests one scan keeps in flight, each on its own slice of the key range. */
    static final int SCAN_WINDOW = 8;
    /** Requests' worth of keys in one slice (a slice resumes within itself when a request fills). */
    static final int REQUESTS_PER_SLICE = 4;

    /**
     * The pairs of {@code range} in key order. In a dense file (keys 0 .. n-1) the range is cut into
     * slices that run as independent requests, {@link #SCAN_WINDOW} at a time; elsewhere the keys'
     * spread is unknown and one slice resumes request after request. Pairs are handed out in key
     * order as the slices complete.
     */
    public Iterator<KeyValue> iterator(KeyRange range) {
        return new ScanIterator(clip(range));
    }

    private KeyRange clip(KeyRange range) {
        return layout.isDense() ? range.clip(layout.keyCount()) : range.normalized();
    }

    /** One slice [first, last] of a scan and its request in flight. */
    private static final class Slice {
        long first;
        final long last;
        CompletableFuture<XrpResult<RangeScanFunction.Chunk>> pending;
        /** First read of the pending request. */
        long start;

        Slice(long first, long last) {
            this.first = first;
            this.last = last;
        }
    }

    /** Slices of {@code [first, last]} of {@code entriesPerRequest * REQUESTS_PER_SLICE} keys, started SCAN_WINDOW at a time. */
    private final class SliceWindow {
        private final ArrayDeque<Slice> slices = new ArrayDeque<>();
        private final boolean aggregate;
        private final int entriesPerRequest;
        private final long sliceKeys;
        private final long last;
        private long nextFirst;
        /** The head slice's failed request (its result, or its exception), kept for the report. */
        private XrpResult<?> failedResult;
        private Throwable failedError;
        private long failedFirst;
        private long failedLast;
        private long failedStart;
        private boolean covered;

        SliceWindow(boolean aggregate, long first, long last) {
            this.aggregate = aggregate;
            int requested = aggregate ? aggregateEntriesPerRequest : pairsPerRequest;
            int max = ScratchDescriptor.maxEntries(aggregate ? ScratchDescriptor.MODE_AGGREGATE : ScratchDescriptor.MODE_PAIRS);
            this.entriesPerRequest = requested <= 0 ? max : Math.min(requested, max);
            // a slice of a sparse file's range is the whole of it (its keys' spread is unknown)
            this.sliceKeys = layout.isDense() ? (long) entriesPerRequest * REQUESTS_PER_SLICE : 0;
            this.nextFirst = first;
            this.last = last;
        }

        /** Starts slices until the window is full or the range is covered. */
        void fill() throws IOException {
            while (slices.size() < SCAN_WINDOW && !covered) {
                long sliceLast = sliceKeys == 0 || Long.compareUnsigned(last - nextFirst, sliceKeys - 1) <= 0
                        ? last : nextFirst + sliceKeys - 1;
                Slice slice = new Slice(nextFirst, sliceLast);
                covered = sliceLast == last;
                nextFirst = sliceLast + 1;
                long[] bounds = new long[2];
                long start = pread.firstUncachedNode(slice.first, layout.layers() - 1, bounds);
                submit(slice, start, bounds[0], bounds[1]);
                slices.add(slice);
            }
        }

        /** Starts the slice's next request at {@code start}, a node whose keys lie in {@code [lo, hi)} ({@code hi} 0: unbounded). */
        private void submit(Slice slice, long start, long lo, long hi) {
            requests.increment();
            slice.start = start;
            slice.pending = runner.submit(rangeFunction.request(functions.range(), aggregate, slice.first, slice.last,
                    start, entriesPerRequest, lo, hi));
        }

        boolean isEmpty() {
            return slices.isEmpty();
        }

        /** First key not yet handed out (the head slice's next key). */
        long firstOutstanding() {
            return slices.isEmpty() ? nextFirst : slices.peek().first;
        }

        /**
         * Waits for the head slice's request: its chunk when it checks out (the slice resumes or is
         * done), or null (counted) when the scan has to continue on the pread path from
         * {@link #firstOutstanding()}.
         */
        RangeScanFunction.Chunk next() throws IOException {
            Slice head = slices.peek();
            XrpResult<RangeScanFunction.Chunk> result;
            try {
                result = head.pending.join();
            } catch (CompletionException | CancellationException e) {
                result = null;
                failedError = e;
            }
            RangeScanFunction.Chunk chunk = result == null ? null : result.value();
            boolean ok = result != null && result.ok() && chunk.consistent()
                    && (aggregate ? countAddsUp(chunk, head.first, head.last) : sane(chunk, head.first, head.last));
            if (!ok) {
                countFallback(result);
                failedResult = result;
                failedFirst = head.first;
                failedLast = head.last;
                failedStart = head.start;
                return null;
            }
            if (chunk.more()) {
                head.first = chunk.resumeKey();
                submit(head, chunk.resumeLeaf(), 0, 0); // a leaf reached through the list: no parent bounds
            } else {
                slices.poll();
                fill();
            }
            return chunk;
        }

        /**
         * On a namespace, the failure of the head slice's request ({@link #next()} returned null): its
         * keys re-walked by the checked traversal say where the problem is.
         */
        IOException failure() {
            KeyRange slice = new KeyRange(failedFirst, failedLast, false, true);
            String operation = (aggregate ? "aggregate" : "range") + " of keys " + failedFirst + ".." + failedLast;
            return EngineOps.this.failure(operation, failedResult, failedError, failedStart, aggregate
                    ? () -> pread.aggregate(slice)
                    : () -> {
                        Iterator<KeyValue> pairs = pread.iterator(slice);
                        while (pairs.hasNext()) {
                            pairs.next();
                        }
                        return null;
                    });
        }
    }

    private final class ScanIterator implements Iterator<KeyValue> {
        private final ArrayDeque<KeyValue> buffered = new ArrayDeque<>();
        private final KeyRange clipped;
        private SliceWindow window;
        private Iterator<KeyValue> slowPath;

        ScanIterator(KeyRange clipped) {
            this.clipped = clipped;
        }

        @Override
        public boolean hasNext() {
            try {
                if (window == null && !clipped.isEmpty()) {
                    window = new SliceWindow(false, clipped.first(), clipped.last());
                    window.fill();
                }
                while (buffered.isEmpty()) {
                    if (slowPath != null) {
                        return slowPath.hasNext();
                    }
                    if (window == null || window.isEmpty()) {
                        return false;
                    }
                    long from = window.firstOutstanding();
                    RangeScanFunction.Chunk chunk = window.next();
                    if (chunk == null) {
                        if (onFailure == OnFailure.FAIL) {
                            throw window.failure();
                        }
                        slowPath = pread.iterator(new KeyRange(from, clipped.last(), false, true));
                    } else {
                        buffered.addAll(chunk.pairs());
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return buffered.isEmpty() ? slowPath.next() : buffered.poll();
        }
    }

    /**
     * An OK chunk must make sense before its pairs are handed out: ascending keys inside
     * {@code [first, last]}, and a chunk with more to come resumes after them. In a dense file the
     * pairs are exactly first, first + 1, ..., and the last chunk ends at {@code last}.
     */
    private boolean sane(RangeScanFunction.Chunk chunk, long first, long last) {
        if (!layout.isDense()) {
            boolean any = false;
            long previous = 0;
            for (KeyValue pair : chunk.pairs()) {
                long key = pair.key();
                if (Long.compareUnsigned(key, first) < 0 || Long.compareUnsigned(key, last) > 0
                        || (any && Long.compareUnsigned(key, previous) <= 0)) {
                    return false;
                }
                any = true;
                previous = key;
            }
            return !chunk.more() || (any && Long.compareUnsigned(chunk.resumeKey(), previous) > 0
                    && Long.compareUnsigned(chunk.resumeKey(), last) <= 0 && resumeLeafOk(chunk));
        }
        long expected = first;
        for (KeyValue pair : chunk.pairs()) {
            if (pair.key() != expected || pair.key() > last) {
                return false;
            }
            expected++;
        }
        if (chunk.more()) {
            return chunk.resumeKey() == expected && expected > first && expected <= last && resumeLeafOk(chunk);
        }
        return expected == last + 1;
    }

    /** Dense files: a chunk folds exactly the keys from first up to where it resumes (or last). */
    private boolean countAddsUp(RangeScanFunction.Chunk chunk, long first, long last) {
        if (!layout.isDense()) {
            return !chunk.more() || (chunk.aggregate().count() > 0 && Long.compareUnsigned(chunk.resumeKey(), first) > 0
                    && Long.compareUnsigned(chunk.resumeKey(), last) <= 0 && resumeLeafOk(chunk));
        }
        if (chunk.more()) {
            return chunk.resumeKey() > first && chunk.resumeKey() <= last && resumeLeafOk(chunk)
                    && chunk.aggregate().count() == chunk.resumeKey() - first;
        }
        return chunk.aggregate().count() == last - first + 1;
    }

    private boolean resumeLeafOk(RangeScanFunction.Chunk chunk) {
        long leaf = chunk.resumeLeaf();
        return leaf >= layout.levelStartBytes(layout.layers() - 1) && leaf < layout.valueLogOffset()
                && (leaf & (NodeDescriptor.BLOCK_SIZE - 1)) == 0;
    }

    /** Count, sum, min, max of the values of {@code range}: slices aggregated in parallel, partial results merged. */
    public Aggregate aggregate(KeyRange range) throws IOException {
        KeyRange clipped = clip(range);
        if (clipped.isEmpty()) {
            return Aggregate.EMPTY;
        }
        SliceWindow window = new SliceWindow(true, clipped.first(), clipped.last());
        window.fill();
        Aggregate total = Aggregate.EMPTY;
        while (!window.isEmpty()) {
            long from = window.firstOutstanding();
            RangeScanFunction.Chunk chunk = window.next();
            if (chunk == null) {
                if (onFailure == OnFailure.FAIL) {
                    throw window.failure();
                }
                return total.merge(pread.aggregate(new KeyRange(from, clipped.last(), false, true)));
            }
            total = total.merge(chunk.aggregate());
        }
        return total;
    }

    // ---- plumbing -----------------------------------------------------------------------------

    /** A pread-path operation that re-checks a failed request's path; its answer is not used. */
    @FunctionalInterface
    private interface Recheck {
        Object run() throws IOException;
    }

    /**
     * The exception for a failed request on a database without a pread path: {@code recheck} walks
     * the request's path again through the engine, fully checked, and its exception (a corrupt node,
     * a failed read, each at its offset) is the answer, the request's own failure added as suppressed;
     * when it finds nothing wrong, the request's outcome (or exception) is reported. An
     * {@link IllegalStateException} of the re-check (the engine or database closed) propagates.
     */
    private IOException failure(String operation, XrpResult<?> result, Throwable error, long firstRead,
                                Recheck recheck) {
        IOException requestFailure;
        if (result != null) {
            requestFailure = new EngineOutcomeException(pread.source(), operation, result.outcome(), result.detail(),
                    firstRead, "no pread path to fall back on (a namespace)");
            if (result.failure() != null) {
                requestFailure.initCause(result.failure());
            }
        } else {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RuntimeException r && !(cause instanceof UncheckedIOException)) {
                throw r; // the engine refused the request (closed): as on every path
            }
            requestFailure = new IOException(pread.source() + ": " + operation + " failed: " + cause, cause);
        }
        try {
            recheck.run();
        } catch (IOException found) {
            found.addSuppressed(requestFailure);
            return found;
        } catch (UncheckedIOException found) {
            found.getCause().addSuppressed(requestFailure);
            return found.getCause();
        }
        return requestFailure;
    }

    /** Hands the failure {@code failing} builds to {@code callback} on {@code executor} (a refusal too). */
    private static void failOn(Executor executor, BiConsumer<?, ? super Throwable> callback,
                               java.util.function.Supplier<IOException> failing) {
        try {
            executor.execute(() -> {
                Throwable failure;
                try {
                    failure = failing.get();
                } catch (RuntimeException e) {
                    failure = e;
                }
                callback.accept(null, failure);
            });
        } catch (RejectedExecutionException e) {
            callback.accept(null, e);
        }
    }

    /** Dense files: every key of the database's range must have come back with a value. */
    private boolean allInRangeFound(long[] keys, List<Optional<byte[]>> values) {
        if (!layout.isDense()) {
            return true;
        }
        for (int i = 0; i < keys.length; i++) {
            if (layout.containsKey(keys[i]) && values.get(i).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Counts a fallback: by outcome, or as "other" for exceptions and OK answers that failed a check. */
    private void countFallback(XrpResult<?> result) {
        if (result == null || result.ok()) {
            fallbacksOther.increment();
        } else {
            fallbacks[result.outcome().ordinal()].increment();
        }
    }

    private static <T> T join(CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    public long requests() {
        return requests.sum();
    }

    /** Fallbacks to the pread path by engine outcome (OK counts answers that failed the sanity checks or exceptions). */
    public Map<Outcome, Long> fallbacks() {
        Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            long n = fallbacks[outcome.ordinal()].sum() + (outcome == Outcome.OK ? fallbacksOther.sum() : 0);
            if (n > 0) {
                counts.put(outcome, n);
            }
        }
        return counts;
    }
}
