package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.WalDescriptor;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.DbLoader;
import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetOptions;
import io.jxrp.engine.TargetSpec;
import io.jxrp.engine.backend.IoBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * A database as BpfKv serves it: the current tree file (a {@link Generation}) under the committed
 * writes not yet in it (memtables, newest first), the write-ahead log and its group committer, and
 * checkpoints that fold the memtables into a new tree file.
 *
 * <p>Reads take the current view (generation and memtables) for the length of the operation: a
 * key's entry in a memtable wins over the file; a tombstone hides it. Writes go through the group
 * committer: the operations waiting when it is free become one log record, written and flushed
 * through the engine (asynchronous O_DIRECT write, then fdatasync, both through io_uring where the
 * log's target uses it), while the next group is built and written; a group's operations reach the
 * memtable, and their futures complete, only once it is durable, in log order. Thread-safe.
 */
public final class Store implements AutoCloseable {
    /** Tests: called at the points a checkpoint's crash can fall between ("renamed", "logs deleted"). */
    static volatile java.util.function.Consumer<String> checkpointBoundary = point -> { };

    /** Operations one group may hold. */
    static final int MAX_GROUP_OPS = 4096;
    /** Groups written or flushing at once: the next one is built and written while earlier ones flush. */
    static final int MAX_GROUPS_IN_FLIGHT = 4;

    /** What readers use: a tree file and the memtables above it, newest first. */
    private record View(Generation generation, List<Memtable> overlays) {
    }

    private record Op(byte kind, long key, byte[] value, CompletableFuture<Void> done) {
    }

    private final Path file;
    private final BpfKvOptions options;
    private final ResubmissionEngine engine;
    private final IoBackend backend;
    private final ExecutorService executor;
    private volatile View view;
    /** The view when the store closed: the plain accessors still answer from it. */
    private volatile View lastView;
    private long generations;

    // ---- writing (null when read-only) ----
    private final FileChannel lockChannel;
    private final FileLock lock;
    private WriteAheadLog wal;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile boolean closing;
    private volatile Throwable writerFailure;
    private long nextSeq;
    private final AtomicLong committed = new AtomicLong();
    private final List<LongConsumer> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Object checkpointLock = new Object();
    private volatile CompletableFuture<Void> freezeRequest;
    /** The first sequence number of the log file the last freeze started (set on the committer). */
    private volatile long rotatedAt;
    private final AtomicLong checkpoints = new AtomicLong();
    private volatile boolean checkpointRunning;

    private Store(Path file, BpfKvOptions options, ResubmissionEngine engine, IoBackend backend, ExecutorService executor,
                  FileChannel lockChannel, FileLock lock) {
        this.file = file;
        this.options = options;
        this.engine = engine;
        this.backend = backend;
        this.executor = executor;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.committer = options.writable() ? Thread.ofPlatform().name("bpfkv-committer").daemon().unstarted(this::commitLoop)
                : null;
    }

    /**
     * Opens {@code file}: replays its write-ahead log into a memtable, opens the tree file (and the
     * engine in engine mode) and, when writable, locks the database and starts the committer.
     */
    public static Store open(Path file, BpfKvOptions options, IoBackend backend, ExecutorService executor)
            throws IOException {
        FileChannel lockChannel = null;
        FileLock lock = null;
        ResubmissionEngine engine = null;
        Store store = null;
        try {
            if (options.writable()) {
                if (!Files.isRegularFile(file)) {
                    throw Files.exists(file) ? new IOException(file + ": not a regular file")
                            : new java.nio.file.NoSuchFileException(file.toString());
                }
                if (!Files.isWritable(file) || !Files.isWritable(file.toAbsolutePath().getParent())) {
                    throw new AccessDeniedException(file.toString(), null, "read-only: the database (or its directory) "
                            + "is not writable; open it without withWritable to read it");
                }
                // a file of its own: the database file itself is replaced by every checkpoint
                lockChannel = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                try {
                    lock = lockChannel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    throw new IOException(file + ": already open for writing (by this or another process)");
                }
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".loading"));
            }
            Memtable replayed = new Memtable();
            WriteAheadLog.Recovery recovery = WriteAheadLog.replay(file, (kind, key, value) ->
                    replayed.put(key, kind == WalDescriptor.OP_DELETE ? Memtable.TOMBSTONE : value));
            if (options.mode() == BpfKvOptions.Mode.ENGINE || options.writable()) {
                engine = backend == null ? ResubmissionEngine.open(options.engine())
                        : ResubmissionEngine.open(options.engine(), backend);
            }
            store = new Store(file, options, engine, backend, executor, lockChannel, lock);
            Generation first = store.openGeneration();
            store.view = new View(first, replayed.isEmpty() ? List.of(new Memtable()) : List.of(new Memtable(), replayed));
            if (options.writable()) {
                store.nextSeq = recovery.lastSeq() + 1;
                if (recovery.lastSeq() < 0) {
                    store.nextSeq = Math.max(1, nextSeqAfterNoRecords(recovery));
                }
                store.wal = WriteAheadLog.openForAppend(file, engine, recovery, store.nextSeq);
                store.committer.start();
            }
            return store;
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.closeQuietly();
            } else if (engine != null) {
                engine.close();
            }
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
            throw e;
        }
    }

    /**
     * Opens a database held by an NVMe namespace from offset 0 (read-only: no log, no checkpoints):
     * the layer count found by descending from the root, the nodes read through the engine, no pread
     * path (an outcome other than OK fails the operation with its offset).
     */
    public static Store openNamespace(TargetSpec target, BpfKvOptions options, ExecutorService executor)
            throws IOException {
        if (options.mode() != BpfKvOptions.Mode.ENGINE) {
            throw new IllegalArgumentException(target + ": a namespace has no pread path (SPDK's driver owns it); "
                    + "open it in engine mode");
        }
        if (options.checksums() == BpfKvOptions.Checksums.REQUIRE) {
            throw new IllegalArgumentException(target + ": checksums are required, but a namespace has no checksum "
                    + "sidecar");
        }
        ResubmissionEngine engine = ResubmissionEngine.open(options.engine());
        PreadTraversal traversal = null;
        try {
            Target namespace = engine.addTarget(target, TargetOptions.defaults());
            traversal = PreadTraversal.open(io.jxrp.bpfkv.io.EngineBlockReader.over(engine, namespace), options.layers(),
                    options.cacheLevels());
            StorageFunctions functions = options.functions().create(traversal.layout(), traversal.fileSizeBytes());
            EngineOps ops = new EngineOps(traversal, new EngineOps.Runner() {
                @Override
                public <T> void submit(io.jxrp.engine.XrpRequest<T> request,
                                       BiConsumer<? super io.jxrp.engine.XrpResult<T>, ? super Throwable> callback) {
                    engine.submit(request.withTarget(namespace), callback);
                }
            }, executor, 0, 0, functions, EngineOps.OnFailure.FAIL);
            Store store = new Store(null, options, engine, null, executor, null, null);
            store.view = new View(new Generation(0, traversal, ops, namespace), List.of(new Memtable()));
            return store;
        } catch (IOException | RuntimeException e) {
            engine.close();
            if (traversal != null) {
                traversal.close();
            }
            throw e;
        }
    }

    private static long nextSeqAfterNoRecords(WriteAheadLog.Recovery recovery) {
        return recovery.lastFile() == null ? 1 : Long.parseLong(recovery.lastFile().getFileName().toString()
                .substring(recovery.lastFile().getFileName().toString().length() - 20));
    }

    /** Opens the tree file as it is now: its traversal, its engine target, its operations. */
    private Generation openGeneration() throws IOException {
        PreadTraversal pread = PreadTraversal.open(file, options);
        Target target = null;
        try {
            EngineOps ops = null;
            if (options.mode() == BpfKvOptions.Mode.ENGINE) {
                io.jxrp.bpfkv.io.BlockChecksums checksums = pread.checksums();
                target = engine.addTarget(TargetSpec.of(file), checksums == null ? TargetOptions.defaults()
                        : TargetOptions.defaults().withVerifier(checksums)); // each block verified before a function sees it
                Target bound = target;
                StorageFunctions functions = options.functions().create(pread.layout(), pread.fileSizeBytes());
                ops = new EngineOps(pread, new EngineOps.Runner() {
                    @Override
                    public <T> void submit(io.jxrp.engine.XrpRequest<T> request,
                                           BiConsumer<? super io.jxrp.engine.XrpResult<T>, ? super Throwable> callback) {
                        engine.submit(request.withTarget(bound), callback);
                    }
                }, executor, 0, 0, functions);
            }
            return new Generation(generations++, pread, ops, target);
        } catch (IOException | RuntimeException e) {
            if (target != null) {
                target.close();
            }
            pread.close();
            throw e;
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    private View acquire() {
        while (true) {
            View v = view;
            if (v == null) {
                throw new IllegalStateException("database is closed");
            }
            if (v.generation.tryAcquire()) {
                return v;
            }
            Thread.onSpinWait(); // a checkpoint just retired it: the next view is published already
        }
    }

    /** The entry the memtables hold for {@code key}: a value, TOMBSTONE, or null. */
    private static byte[] overlay(View v, long key) {
        for (Memtable m : v.overlays) {
            byte[] value = m.get(key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Optional<byte[]> answer(byte[] entry) {
        return entry == Memtable.TOMBSTONE ? Optional.empty() : Optional.of(entry.clone());
    }

    public Optional<byte[]> get(long key) throws IOException {
        requireKey(key);
        View v = acquire();
        try {
            byte[] entry = overlay(v, key);
            if (entry != null) {
                return answer(entry);
            }
            return v.generation.ops != null ? v.generation.ops.get(key) : v.generation.pread.get(key);
        } finally {
            v.generation.release();
        }
    }

    public void getAsync(long key, BiConsumer<? super Optional<byte[]>, ? super Throwable> callback) {
        View v;
        try {
            requireKey(key);
            v = acquire();
        } catch (RuntimeException e) {
            callback.accept(null, e);
            return;
        }
        byte[] entry = overlay(v, key);
        if (entry != null) {
            v.generation.release();
            callback.accept(answer(entry), null);
            return;
        }
        BiConsumer<Optional<byte[]>, Throwable> releasing = (value, failure) -> {
            v.generation.release();
            callback.accept(value, failure);
        };
        if (v.generation.ops != null) {
            v.generation.ops.getAsync(key, releasing);
        } else {
            v.generation.pread.getOn(executor, key, releasing);
        }
    }

    public List<Optional<byte[]>> getAll(long... keys) throws IOException {
        try {
            return getAllAsync(keys).join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    public CompletableFuture<List<Optional<byte[]>>> getAllAsync(long... keys) {
        View v;
        try {
            for (long key : keys) {
                requireKey(key);
            }
            v = acquire();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<Optional<byte[]>> answers = new ArrayList<>(keys.length);
        long[] fromFile = new long[keys.length];
        int[] position = new int[keys.length];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            byte[] entry = overlay(v, keys[i]);
            answers.add(entry == null ? null : answer(entry));
            if (entry == null) {
                fromFile[n] = keys[i];
                position[n++] = i;
            }
        }
        if (n == 0) {
            v.generation.release();
            return CompletableFuture.completedFuture(answers);
        }
        long[] asked = java.util.Arrays.copyOf(fromFile, n);
        int count = n;
        CompletableFuture<List<Optional<byte[]>>> fileAnswers = v.generation.ops != null
                ? v.generation.ops.getAllAsync(asked)
                : CompletableFuture.supplyAsync(() -> {
                    try {
                        return v.generation.pread.getAll(asked);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, executor);
        return fileAnswers.whenComplete((values, failure) -> v.generation.release()).thenApply(values -> {
            for (int i = 0; i < count; i++) {
                answers.set(position[i], values.get(i));
            }
            return answers;
        });
    }

    /**
     * The pairs of {@code range} in key order: the tree file's merged with the memtables'. The
     * iterator holds the view it started with until it is exhausted or closed.
     */
    public CloseableIterator iterator(KeyRange range) {
        View v = acquire();
        KeyRange normalized = range.normalized();
        Iterator<KeyValue> fromFile = v.generation.ops != null ? v.generation.ops.iterator(range)
                : v.generation.pread.iterator(range);
        List<Iterator<Map.Entry<Long, byte[]>>> layers = new ArrayList<>();
        for (Memtable m : v.overlays) {
            layers.add(m.iterator(normalized));
        }
        return new MergedIterator(v, fromFile, layers);
    }

    /** Count, sum, min, max of the values of {@code range}: pushed into the storage function where no memtable entry falls in it. */
    public Aggregate aggregate(KeyRange range) throws IOException {
        View v = acquire();
        try {
            boolean overlaid = false;
            for (Memtable m : v.overlays) {
                overlaid |= m.intersects(range.normalized());
            }
            if (!overlaid) {
                return v.generation.ops != null ? v.generation.ops.aggregate(range) : v.generation.pread.aggregate(range);
            }
        } finally {
            v.generation.release();
        }
        Aggregate total = Aggregate.EMPTY;
        try (CloseableIterator pairs = iterator(range)) {
            while (pairs.hasNext()) {
                KeyValue pair = pairs.next();
                long value = NodeDescriptor.parseValue(MemorySegment.ofArray(pair.value()), 0);
                if (value < 0) {
                    throw new BpfKvFormatException(file, 0, "value of key " + Long.toUnsignedString(pair.key())
                            + " is not decimal text (aggregates need decimal values)");
                }
                total = total.plus(value);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return total;
    }

    /** An iterator that must be closed (or exhausted) to let its view go. */
    public interface CloseableIterator extends Iterator<KeyValue>, AutoCloseable {
        @Override
        void close();
    }

    /**
     * The file's pairs under the memtables' entries (newest memtable first); tombstones hide keys.
     * Closing it releases {@code view}'s generation (none when null).
     */
    private static final class MergedIterator implements CloseableIterator {
        private final View view;
        private final Iterator<KeyValue> file;
        private final List<Iterator<Map.Entry<Long, byte[]>>> layers;
        private final KeyValue[] fileHead = new KeyValue[1];
        private final List<Map.Entry<Long, byte[]>> heads = new ArrayList<>();
        private KeyValue next;
        private boolean released;

        MergedIterator(View view, Iterator<KeyValue> file, List<Iterator<Map.Entry<Long, byte[]>>> layers) {
            this.view = view;
            this.file = file;
            this.layers = layers;
            for (Iterator<Map.Entry<Long, byte[]>> layer : layers) {
                heads.add(layer.hasNext() ? layer.next() : null);
            }
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (fileHead[0] == null && !released && file.hasNext()) {
                    fileHead[0] = file.next();
                }
                // the smallest key among the heads; the newest layer that has it wins
                Long smallest = fileHead[0] == null ? null : fileHead[0].key();
                for (Map.Entry<Long, byte[]> head : heads) {
                    if (head != null && (smallest == null || Long.compareUnsigned(head.getKey(), smallest) < 0)) {
                        smallest = head.getKey();
                    }
                }
                if (smallest == null) {
                    close();
                    return false;
                }
                byte[] winner = null;
                for (int i = 0; i < heads.size(); i++) {
                    Map.Entry<Long, byte[]> head = heads.get(i);
                    if (head != null && head.getKey().longValue() == smallest) {
                        if (winner == null) {
                            winner = head.getValue();
                        }
                        heads.set(i, layers.get(i).hasNext() ? layers.get(i).next() : null);
                    }
                }
                if (fileHead[0] != null && fileHead[0].key() == smallest) {
                    if (winner == null) {
                        next = fileHead[0];
                    }
                    fileHead[0] = null;
                }
                if (winner != null && winner != Memtable.TOMBSTONE) {
                    next = new KeyValue(smallest, winner.clone());
                }
            }
            return true;
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue pair = next;
            next = null;
            return pair;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                if (view != null) {
                    view.generation.release();
                }
            }
        }
    }

    // ---- writing ----------------------------------------------------------------------------

    /** Puts {@code value} under {@code key}; completes once the put is durable (and visible). */
    public CompletableFuture<Void> putAsync(long key, byte[] value) {
        return submit(WalDescriptor.OP_PUT, key, value);
    }

    /** Deletes {@code key} (nothing when absent); completes once durable. */
    public CompletableFuture<Void> deleteAsync(long key) {
        return submit(WalDescriptor.OP_DELETE, key, Memtable.TOMBSTONE);
    }

    private CompletableFuture<Void> submit(byte kind, long key, byte[] value) {
        if (!options.writable()) {
            return CompletableFuture.failedFuture(new IllegalStateException(file
                    + " was opened read-only: open it with BpfKvOptions.withWritable(true) to put or delete"));
        }
        String problem = NodeDescriptor.checkKey(key);
        if (problem == null && kind == WalDescriptor.OP_PUT) {
            problem = NodeDescriptor.checkValue(value);
        }
        if (problem != null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
        }
        if (closing) {
            return CompletableFuture.failedFuture(new IllegalStateException("database is closed"));
        }
        Throwable failed = writerFailure;
        if (failed != null) {
            return CompletableFuture.failedFuture(new IOException(file + ": writes stopped after an error; reopen the "
                    + "database (it holds every write acknowledged before): " + failed.getMessage(), failed));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Op(kind, key, kind == WalDescriptor.OP_PUT ? value.clone() : value, done));
        return done;
    }

    /** Called with the number of operations committed so far after each durable group (on a reactor thread). */
    public void onCommit(LongConsumer listener) {
        commitListeners.add(listener);
    }

    public long committed() {
        return committed.get();
    }

    /** The committer: groups what is waiting into one record, writes it while earlier groups flush. */
    private void commitLoop() {
        Semaphore inFlight = new Semaphore(MAX_GROUPS_IN_FLIGHT);
        CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
        long[] failedAt = {-1, -1}; // position, seq of the first group that failed
        List<Op> group = new ArrayList<>();
        try {
            while (true) {
                Op first = queue.poll(20, TimeUnit.MILLISECONDS);
                CompletableFuture<Void> freeze = freezeRequest;
                if (freeze != null) {
                    inFlight.acquireUninterruptibly(MAX_GROUPS_IN_FLIGHT); // every group of the old log applied
                    inFlight.release(MAX_GROUPS_IN_FLIGHT);
                    try {
                        freeze();
                        freezeRequest = null;
                        freeze.complete(null);
                    } catch (IOException | RuntimeException e) {
                        freezeRequest = null;
                        freeze.completeExceptionally(e);
                    }
                }
                synchronized (failedAt) {
                    if (failedAt[0] >= 0) {
                        inFlight.acquireUninterruptibly(MAX_GROUPS_IN_FLIGHT);
                        inFlight.release(MAX_GROUPS_IN_FLIGHT);
                        try {
                            wal.rewind(failedAt[0]);
                            nextSeq = failedAt[1];
                        } catch (IOException e) {
                            writerFailure = e;
                        }
                        failedAt[0] = -1;
                        previous = CompletableFuture.completedFuture(null);
                    }
                }
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        break;
                    }
                    continue;
                }
                group.clear();
                group.add(first);
                queue.drainTo(group, MAX_GROUP_OPS - 1);
                Throwable stopped = writerFailure;
                if (stopped != null) {
                    for (Op op : group) {
                        op.done.completeExceptionally(new IOException(file + ": writes stopped after an error: "
                                + stopped.getMessage(), stopped));
                    }
                    continue;
                }
                inFlight.acquireUninterruptibly();
                previous = writeGroup(new ArrayList<>(group), previous, inFlight, failedAt);
            }
            inFlight.acquireUninterruptibly(MAX_GROUPS_IN_FLIGHT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            CompletableFuture<Void> freeze = freezeRequest;
            if (freeze != null) {
                freeze.completeExceptionally(new IllegalStateException("database is closing"));
            }
        }
    }

    private CompletableFuture<Void> writeGroup(List<Op> ops, CompletableFuture<Void> previous, Semaphore inFlight,
                                               long[] failedAt) {
        int opBytes = 0;
        for (Op op : ops) {
            opBytes += WalDescriptor.OP_HEADER + (op.kind == WalDescriptor.OP_PUT ? op.value.length : 0);
        }
        int length = WalDescriptor.recordLength(opBytes);
        Arena arena = Arena.ofShared();
        MemorySegment record = wal.allocate(arena, length);
        long at = WalDescriptor.HEADER_SIZE;
        for (Op op : ops) {
            int valueLength = op.kind == WalDescriptor.OP_PUT ? op.value.length : 0;
            record.set(ValueLayout.JAVA_BYTE, at, op.kind);
            record.set(ValueLayout.JAVA_BYTE, at + 1, (byte) valueLength);
            record.set(WalDescriptor.U64, at + 2, op.key);
            MemorySegment.copy(MemorySegment.ofArray(op.value), 0, record, at + WalDescriptor.OP_HEADER, valueLength);
            at += WalDescriptor.OP_HEADER + valueLength;
        }
        long seq = nextSeq++;
        WalDescriptor.seal(record, seq, ops.size(), length);
        long position = wal.position();
        Memtable into = view.overlays.get(0);
        CompletableFuture<Void> durable;
        try {
            durable = wal.append(record).thenCompose(ignored -> wal.flush());
        } catch (RuntimeException e) {
            durable = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> own = durable.whenComplete((ignored, failure) -> arena.close());
        CompletableFuture<Void> applied = previous.thenCombine(own, (a, b) -> {
            for (Op op : ops) {
                into.put(op.key, op.value);
            }
            long total = committed.addAndGet(ops.size());
            for (LongConsumer listener : commitListeners) {
                listener.accept(total);
            }
            return (Void) null;
        });
        applied.whenComplete((ignored, failure) -> {
            if (failure != null) {
                synchronized (failedAt) {
                    if (failedAt[0] < 0 || seq < failedAt[1]) {
                        failedAt[0] = position;
                        failedAt[1] = seq;
                    }
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                IOException error = new IOException(file + ": commit failed, the database stays as at its last commit: "
                        + cause.getMessage(), cause);
                for (Op op : ops) {
                    op.done.completeExceptionally(error);
                }
            } else {
                for (Op op : ops) {
                    op.done.complete(null);
                }
                maybeCheckpoint();
            }
            inFlight.release();
        });
        return applied;
    }

    // ---- checkpoints ------------------------------------------------------------------------

    private void maybeCheckpoint() {
        if (options.checkpointEntries() > 0 && !checkpointRunning && !closing
                && view.overlays.get(0).size() >= options.checkpointEntries()) {
            checkpointRunning = true;
            Thread.ofVirtual().name("bpfkv-checkpoint").start(() -> {
                try {
                    checkpoint();
                } catch (IOException | RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(Store.class).warn("{}: checkpoint failed (the log keeps every write; "
                            + "retried at the next one): {}", file, e.toString());
                } finally {
                    checkpointRunning = false;
                }
            });
        }
    }

    /** On the committer, between groups: a new memtable and a new log file take the writes from here on. */
    private void freeze() throws IOException {
        wal.rotate(nextSeq);
        rotatedAt = nextSeq;
        View v = view;
        List<Memtable> overlays = new ArrayList<>();
        overlays.add(new Memtable());
        overlays.addAll(v.overlays);
        view = new View(v.generation, List.copyOf(overlays));
    }

    /**
     * Folds every committed write into a new tree file: the memtables are frozen (new writes go to a
     * new memtable and log file), the file's pairs merged with theirs are written as a packed file
     * that replaces the database (temporary file, fsync, rename, directory fsync), readers move to
     * it, and the log files it folded in are deleted. Readers and writers go on meanwhile.
     */
    public void checkpoint() throws IOException {
        if (!options.writable()) {
            throw new IllegalStateException(file + " was opened read-only: a checkpoint writes the database");
        }
        synchronized (checkpointLock) {
            CompletableFuture<Void> frozen = new CompletableFuture<>();
            freezeRequest = frozen;
            if (closing || !committer.isAlive()) {
                freezeRequest = null;
                throw new IllegalStateException("database is closing");
            }
            long firstSeqAfter;
            try {
                frozen.join();
            } catch (CompletionException e) {
                throw unwrap(e);
            }
            firstSeqAfter = rotatedAt; // the committer's nextSeq has moved on since: the new log must stay
            View v = view;
            List<Memtable> folded = v.overlays.subList(1, v.overlays.size());
            Generation old = v.generation;
            Iterator<KeyValue> merged;
            PackedScanner scanner = new PackedScanner(file, old.pread.layout());
            try {
                List<Iterator<Map.Entry<Long, byte[]>>> layers = new ArrayList<>();
                for (Memtable m : folded) {
                    layers.add(m.iterator(KeyRange.all()));
                }
                merged = new MergedIterator(null, scanner, layers); // the store's own hold keeps the file open
                DbLoader.loadSorted(file, merged, DbBuilder.Options.defaults().withRequireDirect(false));
                checkpointBoundary.accept("renamed");
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                scanner.close();
            }
            Generation next = openGeneration();
            View current = view;
            view = new View(next, List.of(current.overlays.get(0)));
            old.release();
            wal.dropRetired();
            wal.deleteBefore(firstSeqAfter);
            checkpointBoundary.accept("logs deleted");
            checkpoints.incrementAndGet();
        }
    }

    public long checkpoints() {
        return checkpoints.get();
    }

    // ---- facts --------------------------------------------------------------------------------

    /** The view now, or the last one once closed (for the accessors). */
    private View current() {
        View v = view;
        return v != null ? v : lastView;
    }

    public io.jxrp.bpfkv.format.TreeLayout layout() {
        return current().generation.pread.layout();
    }

    /** Entries (writes not yet in the tree file) in the memtables. */
    public long pendingEntries() {
        long n = 0;
        for (Memtable m : current().overlays) {
            n += m.size();
        }
        return n;
    }

    public String backendDescription() {
        Target t = current().generation.target;
        return t == null ? "pread" : t.backendName() + " (" + t.backendReason() + ")";
    }

    public EngineOps engineOps() {
        return current().generation.ops;
    }

    public ResubmissionEngine engine() {
        return engine;
    }

    public PreadTraversal pread() {
        return current().generation.pread;
    }

    // ---- closing ----------------------------------------------------------------------------

    @Override
    public void close() throws IOException {
        if (view == null) {
            return;
        }
        IOException failure = null;
        if (committer != null) {
            closing = true;
            try {
                committer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (checkpointLock) {
                // wait for a background checkpoint, then fold what is left so the file alone holds everything
            }
            if (options.checkpointOnClose() && writerFailure == null && pendingEntries() > 0) {
                try {
                    checkpointOnClose();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        closeQuietly();
        if (failure != null) {
            throw failure;
        }
    }

    /** The committer has stopped: freeze here (no group runs), then checkpoint as usual. */
    private void checkpointOnClose() throws IOException {
        synchronized (checkpointLock) {
            freeze();
            long firstSeqAfter = rotatedAt;
            View v = view;
            List<Memtable> folded = v.overlays.subList(1, v.overlays.size());
            Generation old = v.generation;
            try (PackedScanner scanner = new PackedScanner(file, old.pread.layout())) {
                List<Iterator<Map.Entry<Long, byte[]>>> layers = new ArrayList<>();
                for (Memtable m : folded) {
                    layers.add(m.iterator(KeyRange.all()));
                }
                DbLoader.loadSorted(file, new MergedIterator(null, scanner, layers), DbBuilder.Options.defaults());
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            wal.dropRetired();
            wal.deleteBefore(firstSeqAfter);
            checkpoints.incrementAndGet();
        }
    }

    private void closeQuietly() {
        View v = view;
        lastView = v;
        view = null;
        if (wal != null) {
            wal.close();
        }
        if (v != null) {
            v.generation.releaseAndClose();
        }
        if (engine != null) {
            engine.close();
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Store.class).warn("{}: releasing the lock: {}", file, e.toString());
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------

    private static void requireKey(long key) {
        String problem = NodeDescriptor.checkKey(key);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    static IOException unwrap(CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof UncheckedIOException io) {
            return io.getCause();
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException(cause);
    }

    Path file() {
        return file;
    }

    IoBackend backend() {
        return backend;
    }
}
