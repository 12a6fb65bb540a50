package io.jxrp.bpfkv.ops;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKvChecksumException;
import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockChecksums;
import io.jxrp.bpfkv.io.BlockReader;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The synchronous user-space traversal: one positional O_DIRECT read per index node and per value
 * block, as the original's read() path. It is the engine's slow-path fallback and the
 * {@code --mode pread} baseline. Every node read is checked against {@link TreeLayout} and the key
 * rules ({@link NodeDescriptor#firstBadKey}: keys ascending, inside the bounds the parent's separators
 * give; value pointers in the value log, at the key's own slot where the layout fixes it): a corrupt
 * file gives a {@link BpfKvFormatException}, never a hang or a wrong value. Thread-safe.
 *
 * <p>With a sidecar of block checksums ({@link BlockChecksums}) every block read is verified before
 * anything in it is used: a mismatch is a {@link BpfKvChecksumException} naming the block, never data.
 *
 * <p>With a cache of the top N levels (N &lt;= 3) those nodes, a contiguous prefix of the file,
 * are read and checked once at open and the descent starts at the first uncached level.
 */
public final class PreadTraversal implements AutoCloseable {
    private final Path file;
    private final TreeLayout layout;
    private final BlockReader reader;
    private final long fileSizeBytes;
    /** Bytes of one read of a 512 B block: the enclosing aligned block when the device's is bigger. */
    private final int readSpan;
    private final int cachedLevels;
    /** Heap copy of nodes 0 .. firstNodeOfLevel(cachedLevels)-1 (checked), or an empty segment. */
    private final MemorySegment cache;
    /** Every block read is verified against these, or null: no sidecar. */
    private final BlockChecksums checksums;

    private PreadTraversal(Path file, TreeLayout layout, BlockReader reader, long fileSizeBytes, int cachedLevels,
                           MemorySegment cache, BlockChecksums checksums) {
        this.file = file;
        this.checksums = checksums;
        this.layout = layout;
        this.reader = reader;
        this.fileSizeBytes = fileSizeBytes;
        this.readSpan = Math.max(BLOCK_SIZE, reader.alignment());
        this.cachedLevels = cachedLevels;
        this.cache = cache;
    }

    /**
     * Opens and checks {@code file}: its size must match a layer count (or the override), the root must
     * be valid; its checksum sidecar is used as {@link BpfKvOptions#checksums()} says.
     */
    public static PreadTraversal open(Path file, BpfKvOptions options) throws IOException {
        BlockReader reader = BlockReader.open(file, options.logicalBlockSizeBytes(), options.requireDirect());
        try {
            return open(reader, options.layers(), options.cacheLevels(), checksumsFor(file, Files.size(file), options));
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /**
     * The checksums to verify {@code file}'s blocks against, as {@code options.checksums()} says: its
     * sidecar (when there is one, or required), or none.
     *
     * @throws BpfKvFormatException the sidecar is damaged or stale, or required and missing
     */
    public static BlockChecksums checksumsFor(Path file, long sizeBytes, BpfKvOptions options) throws IOException {
        return switch (options.checksums()) {
            case OFF -> null;
            case AUTO -> BlockChecksums.find(file, sizeBytes).orElse(null);
            case REQUIRE -> BlockChecksums.find(file, sizeBytes).orElseThrow(() -> new BpfKvFormatException(file, 0,
                    "has no checksum sidecar " + io.jxrp.bpfkv.format.ChecksumDescriptor.sidecarOf(file).getFileName()
                            + " and checksums are required (bpfkv checksum DB makes one)"));
        };
    }

    /** Opens over a given reader (e.g. a fault-injecting wrapper), no checksums; closing the traversal closes the reader. */
    public static PreadTraversal open(BlockReader reader, int layersOverride, int cacheLevels) throws IOException {
        return open(reader, layersOverride, cacheLevels, null);
    }

    /**
     * As {@link #open(BlockReader, int, int)}, verifying every block read against {@code checksums}
     * (null: none). A file's size gives its layer count (an override must match it); a raw device
     * ({@link BlockReader#rawDevice()}) holds the database from offset 0, and its layer count is found
     * by descending from the root to a leaf (an override must match that).
     */
    public static PreadTraversal open(BlockReader reader, int layersOverride, int cacheLevels, BlockChecksums checksums)
            throws IOException {
        Path file = reader.file();
        TreeLayout layout;
        long size;
        if (reader.rawDevice()) {
            layout = layoutOnDevice(reader, layersOverride);
            size = layout.fileSizeBytes();
        } else {
            size = reader.sizeBytes();
            layout = discover(reader, size);
            if (layersOverride > 0 && layersOverride != layout.layers()) {
                throw new BpfKvFormatException(file, 0, "the file has " + layout.layers() + " layers (found by "
                        + "descending from the root), not " + layersOverride);
            }
        }
        int levels = Math.min(Math.min(cacheLevels, BpfKvOptions.MAX_CACHE_LEVELS), layout.layers());
        PreadTraversal unchecked = new PreadTraversal(file, layout, reader, size, 0, MemorySegment.ofArray(new byte[0]),
                checksums);
        unchecked.checkRoot();
        if (levels == 0) {
            return unchecked;
        }
        MemorySegment cache = unchecked.loadTop(levels);
        return new PreadTraversal(file, layout, reader, size, levels, cache, checksums);
    }

    /** The checksums every read is verified against, or null. */
    public BlockChecksums checksums() {
        return checksums;
    }

    /**
     * The layout of the database at the start of a raw device: the layer count is the depth of the
     * first leaf below the root, following child 0, which in the original's layout is the first node
     * of every level (so each pointer on the way is checked against where that level starts); the
     * database must fit the device.
     */
    static TreeLayout layoutOnDevice(BlockReader reader, int layersOverride) throws IOException {
        String name = reader.name();
        long deviceSize = reader.sizeBytes();
        if (deviceSize < BLOCK_SIZE) {
            throw new BpfKvFormatException(name, 0, "the device holds " + deviceSize + " B, less than one 512 B node");
        }
        TreeLayout deepest = new TreeLayout(TreeLayout.MAX_LAYERS);
        int span = Math.max(BLOCK_SIZE, reader.alignment());
        int layers = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(span, span);
            long offset = 0;
            for (int depth = 1; depth <= TreeLayout.MAX_LAYERS && layers == 0; depth++) {
                long start = offset - Math.floorMod(offset, span);
                if (offset + BLOCK_SIZE > deviceSize || reader.read(start, buffer) < offset - start + BLOCK_SIZE) {
                    throw new BpfKvFormatException(name, offset, "the node at offset " + offset
                            + " lies past the end of the device (" + deviceSize + " B)");
                }
                MemorySegment node = buffer.asSlice(offset - start, BLOCK_SIZE);
                long type = NodeDescriptor.type(node, 0);
                if (type == NodeDescriptor.TYPE_LEAF) {
                    layers = depth;
                    continue;
                }
                if (type != NodeDescriptor.TYPE_INTERNAL) {
                    throw new BpfKvFormatException(name, offset + NodeDescriptor.TYPE_OFFSET, "node type "
                            + Long.toUnsignedString(type) + " at depth " + depth + " below the root: not a BPF-KV "
                            + "database written from offset 0");
                }
                long pointer = NodeDescriptor.ptr(node, 0, 0);
                long levelStart = depth < TreeLayout.MAX_LAYERS ? deepest.levelStartBytes(depth) : -1;
                if (!NodeDescriptor.isFileOffset(pointer) || NodeDescriptor.decode(pointer) != levelStart) {
                    throw new BpfKvFormatException(name, offset + NodeDescriptor.ptrOffset(0), "first child pointer 0x"
                            + Long.toHexString(pointer) + " is not the first node of level " + depth + " (offset "
                            + levelStart + "): not a BPF-KV database written from offset 0");
                }
                offset = levelStart;
            }
        }
        if (layers == 0) {
            throw new BpfKvFormatException(name, 0, "no leaf within " + TreeLayout.MAX_LAYERS + " levels of the root");
        }
        if (layersOverride > 0 && layersOverride != layers) {
            throw new BpfKvFormatException(name, 0, "the database has " + layers + " layers (found by descending from "
                    + "the root), not " + layersOverride);
        }
        TreeLayout layout = new TreeLayout(layers);
        if (layout.fileSizeBytes() > deviceSize) {
            throw new BpfKvFormatException(name, deviceSize, "a " + layers + "-layer database takes "
                    + layout.fileSizeBytes() + " B, the device holds " + deviceSize + " B (truncated copy?)");
        }
        return layout;
    }

    public TreeLayout layout() {
        return layout;
    }

    /**
     * The layout of {@code file} (see {@link #discover(BlockReader, long)}), checked against a layer
     * count when {@code layersOverride > 0}.
     */
    public static TreeLayout discover(Path file, int layersOverride) throws IOException {
        try (BlockReader reader = BlockReader.open(file, 0, false)) {
            TreeLayout layout = discover(reader, Files.size(file));
            if (layersOverride > 0 && layersOverride != layout.layers()) {
                throw new BpfKvFormatException(file, 0, "the file has " + layout.layers() + " layers (found by descending "
                        + "from the root), not " + layersOverride);
            }
            return layout;
        }
    }

    /**
     * The layout of a packed BPF-KV file, found by descending from the root along the last used child
     * of every node (the layer count is how deep the leaves are, the key count follows from where the
     * last leaf is and how many keys it holds), checked against the file's size.
     */
    public static TreeLayout discover(BlockReader reader, long fileSizeBytes) throws IOException {
        Path file = reader.file();
        if (fileSizeBytes < BLOCK_SIZE) {
            throw new BpfKvFormatException(file, fileSizeBytes, "not a BPF-KV database: " + fileSizeBytes
                    + " B is less than one 512 B node");
        }
        int span = Math.max(BLOCK_SIZE, reader.alignment());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(span, span);
            long offset = 0;
            long firstKey = 0;
            for (int depth = 1; depth <= TreeLayout.MAX_LAYERS; depth++) {
                long start = offset - Math.floorMod(offset, span);
                if (reader.read(start, buffer) < offset - start + BLOCK_SIZE) {
                    throw new BpfKvFormatException(file, offset, "the node at offset " + offset + " lies past the end"
                            + " of the file (truncated, or not a BPF-KV database)");
                }
                MemorySegment node = buffer.asSlice(offset - start, BLOCK_SIZE);
                long type = NodeDescriptor.type(node, 0);
                int used = NodeDescriptor.usedKeys(node, 0);
                if (depth == 1) {
                    firstKey = NodeDescriptor.key(node, 0, 0); // the smallest key (packed: every key[0] is its subtree's first)
                }
                if (type == NodeDescriptor.TYPE_LEAF) {
                    long lastKey = used == 0 ? NodeDescriptor.EMPTY_KEY : NodeDescriptor.key(node, 0, used - 1);
                    return TreeLayout.fromShape(file, depth, offset, used, fileSizeBytes, firstKey, lastKey);
                }
                String problem = NodeDescriptor.checkType(type, false);
                if (problem != null || used == 0) {
                    throw new BpfKvFormatException(file, offset + NodeDescriptor.TYPE_OFFSET, problem != null ? problem
                            : "internal node without keys");
                }
                long pointer = NodeDescriptor.ptr(node, 0, used - 1);
                long child = NodeDescriptor.decode(pointer);
                if (!NodeDescriptor.isFileOffset(pointer) || (child & (BLOCK_SIZE - 1)) != 0 || child <= offset
                        || child >= fileSizeBytes) {
                    throw new BpfKvFormatException(file, offset + NodeDescriptor.ptrOffset(used - 1), "child pointer 0x"
                            + Long.toHexString(pointer) + " is not a later node of the file");
                }
                offset = child;
            }
            throw new BpfKvFormatException(file, offset, "no leaf within " + TreeLayout.MAX_LAYERS + " levels of the root");
        }
    }


    /** The database file, or null for a database on a namespace. */
    public Path file() {
        return file;
    }

    /** The file or namespace, as messages name it. */
    public String source() {
        return reader.name();
    }

    public long fileSizeBytes() {
        return fileSizeBytes;
    }

    /** Levels held in memory (0 = none). */
    public int cachedLevels() {
        return cachedLevels;
    }

    /** Whether reads bypass the page cache. */
    public boolean direct() {
        return reader.direct();
    }

    /** The alignment of every read: the device's logical block size with O_DIRECT. */
    public int readAlignment() {
        return reader.alignment();
    }

    // ---- point lookups ----------------------------------------------------------------------

    /**
     * {@link #get} on {@code executor}, its value or failure handed to {@code callback}; an executor
     * that refuses the work (closed) is a failure too, so the callback always hears once.
     */
    public void getOn(Executor executor, long key, BiConsumer<? super Optional<byte[]>, ? super Throwable> callback) {
        try {
            executor.execute(() -> {
                Optional<byte[]> value;
                try {
                    value = get(key);
                } catch (IOException | RuntimeException e) {
                    callback.accept(null, e);
                    return;
                }
                callback.accept(value, null);
            });
        } catch (RejectedExecutionException e) {
            callback.accept(null, e);
        }
    }

    /** The 64-byte value of {@code key}, or empty when the key is not in the database. */
    public Optional<byte[]> get(long key) throws IOException {
        requireKey(key);
        if (layout.isDense() && !layout.containsKey(key)) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(readSpan, readSpan);
            long[] bounds = new long[2];
            long leafOffset = descendToLeaf(key, buffer, bounds);
            MemorySegment leaf = node(leafOffset, layout.layers() - 1, buffer, bounds[0], bounds[1]);
            int index = NodeDescriptor.leafIndexOf(leaf, 0, key);
            if (index < 0) {
                if (layout.isDense()) {
                    throw missingKey(key, leafOffset);
                }
                return Optional.empty();
            }
            long valueOffset = valuePointer(leaf, leafOffset, index);
            MemorySegment value = read(valueOffset, VALUE_SIZE, buffer);
            return Optional.of(NodeDescriptor.valueOf(value, 0));
        }
    }

    /** Values of several keys, in argument order (empty where a key is not found). */
    public List<Optional<byte[]>> getAll(long... keys) throws IOException {
        List<Optional<byte[]>> values = new ArrayList<>(keys.length);
        for (long key : keys) {
            values.add(get(key));
        }
        return values;
    }

    /**
     * Offset of the first node the engine has to read for {@code key}: descends the cached levels in
     * memory. Returns the key's value offset (bit 63 clear) when the whole index is cached, and -1
     * for a key outside the database's range found in a cached leaf.
     *
     * @throws BpfKvFormatException when a cached leaf lacks an in-range key (keys are dense)
     */
    public long firstUncachedOffset(long key) throws BpfKvFormatException {
        return firstUncachedOffset(key, null);
    }

    /**
     * As {@link #firstUncachedOffset(long)}; when {@code bounds} is not null it receives the bounds
     * {@code [bounds[0], bounds[1])} ({@code bounds[1]} 0: none) the cached separators give the node
     * at the returned offset, for the engine's functions to check it against.
     */
    public long firstUncachedOffset(long key, long[] bounds) throws BpfKvFormatException {
        long offset = 0;
        long lo = 0;
        long hi = 0;
        int lastLevel = layout.layers() - 1;
        for (int level = 0; level < cachedLevels; level++) {
            MemorySegment node = cachedNode(offset, level);
            if (level == lastLevel) {
                int index = NodeDescriptor.leafIndexOf(node, 0, key);
                if (index < 0) {
                    if (layout.isDense() && layout.containsKey(key)) {
                        throw missingKey(key, offset);
                    }
                    return -1;
                }
                return valuePointer(node, offset, index);
            }
            int child = NodeDescriptor.childIndex(node, 0, key);
            long next = childPointer(node, offset, level, key);
            lo = NodeDescriptor.childLowerBound(node, 0, child, lo);
            hi = NodeDescriptor.childUpperBound(node, 0, child, hi);
            offset = next;
        }
        if (bounds != null) {
            bounds[0] = lo;
            bounds[1] = hi;
        }
        return offset;
    }

    /**
     * Offset of the node on level {@code min(cachedLevels, maxLevel)} on {@code key}'s path: where a
     * descent that has used the cache continues (the root without a cache).
     */
    public long firstUncachedNode(long key, int maxLevel) throws BpfKvFormatException {
        return firstUncachedNode(key, maxLevel, null);
    }

    /** As {@link #firstUncachedNode(long, int)}, the node's bounds into {@code bounds} as {@link #firstUncachedOffset(long, long[])} does. */
    public long firstUncachedNode(long key, int maxLevel, long[] bounds) throws BpfKvFormatException {
        long offset = 0;
        long lo = 0;
        long hi = 0;
        int stop = Math.min(cachedLevels, Math.min(maxLevel, layout.layers() - 1));
        for (int level = 0; level < stop; level++) {
            MemorySegment node = cachedNode(offset, level);
            int child = NodeDescriptor.childIndex(node, 0, key);
            long next = childPointer(node, offset, level, key);
            lo = NodeDescriptor.childLowerBound(node, 0, child, lo);
            hi = NodeDescriptor.childUpperBound(node, 0, child, hi);
            offset = next;
        }
        if (bounds != null) {
            bounds[0] = lo;
            bounds[1] = hi;
        }
        return offset;
    }

    // ---- range scans and aggregates ---------------------------------------------------------

    /**
     * The pairs of {@code range}, in key order, read lazily (one read per leaf and per value block).
     * A corrupt node surfaces as an {@link UncheckedIOException} wrapping a {@link BpfKvFormatException}.
     */
    public Stream<KeyValue> range(KeyRange range) {
        Iterator<KeyValue> iterator = iterator(range);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator,
                Spliterator.ORDERED | Spliterator.SORTED | Spliterator.DISTINCT | Spliterator.NONNULL), false);
    }

    public Stream<KeyValue> range(long begin, long end, boolean beginExclusive, boolean endInclusive) {
        return range(new KeyRange(begin, end, beginExclusive, endInclusive));
    }

    /** As {@link #range(KeyRange)}, as an iterator. */
    public Iterator<KeyValue> iterator(KeyRange range) {
        Cursor cursor = new Cursor(range);
        return new Iterator<>() {
            private boolean ready;
            private boolean more;

            @Override
            public boolean hasNext() {
                if (!ready) {
                    try {
                        more = cursor.advance();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    ready = true;
                }
                return more;
            }

            @Override
            public KeyValue next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return new KeyValue(cursor.key, NodeDescriptor.valueOf(cursor.valueBlock, cursor.valueIndex));
            }
        };
    }

    /** Count, sum, min, max (and avg) of the values of {@code range}, parsed as decimal numbers. */
    public Aggregate aggregate(KeyRange range) throws IOException {
        Cursor cursor = new Cursor(range);
        long count = 0;
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        while (cursor.advance()) {
            long value = NodeDescriptor.parseValue(cursor.valueBlock, cursor.valueIndex);
            if (value < 0) {
                throw formatError(cursor.valueOffset, "value of key " + cursor.key
                        + " is not decimal text");
            }
            count++;
            sum = Math.addExact(sum, value);
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
        return count == 0 ? Aggregate.EMPTY : new Aggregate(count, sum, min, max);
    }

    /**
     * Position in a range scan. Leaves are followed through their {@code next} words, which must
     * point strictly forward inside the leaf level, and keys must ascend: a scan always ends.
     */
    private final class Cursor {
        private final long first;
        private final long last;
        private final MemorySegment nodeBuffer;
        private final MemorySegment valueBuffer;
        private boolean finished;
        private MemorySegment leaf;
        private long leafOffset = -1;
        private int index;
        private boolean anyKey;
        private long previousKey;
        /** Dense files: the next pair must have this key. */
        private long expectedKey;
        private long valueBlockOffset = -1;
        // the current pair
        long key;
        MemorySegment valueBlock;
        int valueIndex;
        long valueOffset;

        Cursor(KeyRange range) {
            KeyRange clipped = layout.isDense() ? range.clip(layout.keyCount()) : range.normalized();
            this.first = clipped.first();
            this.last = clipped.last();
            this.finished = clipped.isEmpty();
            this.expectedKey = first;
            Arena arena = Arena.ofAuto();
            this.nodeBuffer = arena.allocate(readSpan, readSpan);
            this.valueBuffer = arena.allocate(readSpan, readSpan);
        }

        /** Moves to the next pair in range; false at the end. */
        boolean advance() throws IOException {
            if (finished) {
                return false;
            }
            if (leaf == null) {
                long[] bounds = new long[2];
                leafOffset = descendToLeaf(first, nodeBuffer, bounds);
                leaf = node(leafOffset, layout.layers() - 1, nodeBuffer, bounds[0], bounds[1]);
                index = 0;
            }
            while (true) {
                if (index == FANOUT) {
                    long next = NodeDescriptor.next(leaf, 0);
                    String problem = NodeDescriptor.checkNextLeaf(next, leafOffset,
                            layout.levelStartBytes(layout.layers() - 1), layout.levelEndBytes(layout.layers() - 1));
                    if (problem != null) {
                        throw formatError(leafOffset + NodeDescriptor.NEXT_OFFSET, problem);
                    }
                    if (next == 0) {
                        return end();
                    }
                    leafOffset = next;
                    // reached through the list, not from a parent: no separators bound it
                    leaf = node(leafOffset, layout.layers() - 1, nodeBuffer, 0, 0);
                    index = 0;
                }
                long candidate = NodeDescriptor.key(leaf, 0, index);
                if (candidate == NodeDescriptor.EMPTY_KEY) {
                    index = FANOUT; // the leaf's used keys end here (checked: only empty slots follow)
                    continue;
                }
                if (anyKey && Long.compareUnsigned(candidate, previousKey) <= 0) {
                    throw formatError(leafOffset + NodeDescriptor.keyOffset(index), "leaf key "
                            + Long.toUnsignedString(candidate) + " does not ascend (previous key "
                            + Long.toUnsignedString(previousKey) + ")");
                }
                anyKey = true;
                previousKey = candidate;
                if (Long.compareUnsigned(candidate, first) < 0) {
                    index++;
                    continue;
                }
                if (Long.compareUnsigned(candidate, last) > 0 && (!layout.isDense() || expectedKey > last)) {
                    return end();
                }
                if (layout.isDense() && candidate != expectedKey) {
                    throw formatError(leafOffset + NodeDescriptor.keyOffset(index), "key "
                            + Long.toUnsignedString(candidate) + " where key " + expectedKey + " was expected (keys are dense)");
                }
                expectedKey++;
                long offset = valuePointer(leaf, leafOffset, index);
                long block = NodeDescriptor.blockOf(offset);
                if (block != valueBlockOffset) {
                    valueBlock = read(block, BLOCK_SIZE, valueBuffer);
                    valueBlockOffset = block;
                }
                key = candidate;
                valueOffset = offset;
                valueIndex = NodeDescriptor.offsetInBlock(offset);
                index++;
                return true;
            }
        }

        /** The scan is over: every key up to {@code last} must have come by (keys are dense). */
        private boolean end() throws BpfKvFormatException {
            finished = true;
            if (layout.isDense() && expectedKey <= last) {
                throw formatError(leafOffset, "the leaves end before key " + expectedKey
                        + " (keys are dense 0.." + (layout.keyCount() - 1) + "): corrupt leaf list");
            }
            return false;
        }
    }

    // ---- traversal core ---------------------------------------------------------------------

    /** Rejects the one u64 that cannot be a key. */
    static void requireKey(long key) {
        String problem = NodeDescriptor.checkKey(key);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Descends from the root (or the cache) to the leaf that would hold {@code key}; its offset. Every
     * node read is checked, its keys inside the bounds its parent gives; {@code bounds} receives the
     * leaf's.
     */
    private long descendToLeaf(long key, MemorySegment buffer, long[] bounds) throws IOException {
        long offset = 0;
        long lo = 0;
        long hi = 0;
        int lastLevel = layout.layers() - 1;
        for (int level = 0; level < lastLevel; level++) {
            MemorySegment node = node(offset, level, buffer, lo, hi);
            int child = NodeDescriptor.childIndex(node, 0, key);
            long next = childPointer(node, offset, level, key);
            lo = NodeDescriptor.childLowerBound(node, 0, child, lo);
            hi = NodeDescriptor.childUpperBound(node, 0, child, hi);
            offset = next;
        }
        bounds[0] = lo;
        bounds[1] = hi;
        return offset;
    }

    /**
     * In a dense file (create's: keys 0 .. 31^L - 1, REFERENCE.md) a key of that range missing
     * where its path leads means a corrupt index, never "not found".
     */
    private BpfKvFormatException missingKey(long key, long leafOffset) {
        return formatError(leafOffset, "key " + key + " is missing from the leaf its path leads to"
                + " (keys are dense 0.." + (layout.keyCount() - 1) + "): corrupt index");
    }

    /** The child of an internal node at {@code level} to follow for {@code key}, checked. */
    private long childPointer(MemorySegment node, long nodeOffset, int level, long key) throws BpfKvFormatException {
        int child = NodeDescriptor.childIndex(node, 0, key);
        long pointer = NodeDescriptor.ptr(node, 0, child);
        String problem = NodeDescriptor.checkChildPointer(pointer, layout.levelStartBytes(level + 1),
                layout.levelEndBytes(level + 1));
        if (problem != null) {
            throw formatError(nodeOffset + NodeDescriptor.ptrOffset(child), problem);
        }
        return NodeDescriptor.decode(pointer);
    }

    /** A leaf's value pointer, checked (the key's own slot where the layout fixes it); the value's offset. */
    private long valuePointer(MemorySegment leaf, long leafOffset, int index) throws BpfKvFormatException {
        long pointer = NodeDescriptor.ptr(leaf, 0, index);
        String problem = valuePointerProblem(pointer, NodeDescriptor.key(leaf, 0, index));
        if (problem != null) {
            throw formatError(leafOffset + NodeDescriptor.ptrOffset(index), problem);
        }
        return NodeDescriptor.decode(pointer);
    }

    private String valuePointerProblem(long pointer, long key) {
        String problem = NodeDescriptor.checkValuePointer(pointer, layout.valueLogOffset(), fileSizeBytes);
        if (problem == null && layout.fixesValueSlots()) {
            problem = NodeDescriptor.checkValueSlot(pointer, key, layout.valueLogOffset());
        }
        return problem;
    }

    /**
     * The node at {@code offset}, expected on {@code level}: from the cache (checked at load), or read
     * and checked: its type, and its keys inside {@code [lo, hi)} ({@code hi} 0: none), the bounds
     * its parent gives.
     */
    private MemorySegment node(long offset, int level, MemorySegment buffer, long lo, long hi) throws IOException {
        if (level < cachedLevels) {
            return cachedNode(offset, level);
        }
        MemorySegment node = read(offset, BLOCK_SIZE, buffer);
        checkNode(node, offset, level, lo, hi);
        return node;
    }

    /** A node's type and keys ({@link NodeDescriptor#firstBadKey}), as a BpfKvFormatException at the offending word. */
    private void checkNode(MemorySegment node, long offset, int level, long lo, long hi) throws BpfKvFormatException {
        boolean leaf = level == layout.layers() - 1;
        String problem = NodeDescriptor.checkType(NodeDescriptor.type(node, 0), leaf);
        if (problem != null) {
            throw formatError(offset + NodeDescriptor.TYPE_OFFSET, problem);
        }
        int bad = NodeDescriptor.firstBadKey(node, 0, lo, hi, !leaf);
        if (bad >= 0) {
            throw formatError(offset + NodeDescriptor.keyOffset(Math.min(bad, NodeDescriptor.FANOUT - 1)),
                    NodeDescriptor.describeBadKey(node, 0, bad, lo, hi));
        }
    }

    private MemorySegment cachedNode(long offset, int level) {
        // cached nodes were checked at load, and offsets come from checked pointers
        assert level < cachedLevels && offset < cache.byteSize();
        return cache.asSlice(offset, BLOCK_SIZE);
    }

    /**
     * Reads {@code length} bytes at {@code offset} through the enclosing aligned span of {@code buffer};
     * with checksums, the whole 512 B blocks around them, verified before they are returned.
     */
    private MemorySegment read(long offset, int length, MemorySegment buffer) throws IOException {
        int alignment = reader.alignment();
        long from = offset;
        long to = offset + length;
        if (checksums != null) {
            from = NodeDescriptor.blockOf(offset);
            to = (to + BLOCK_SIZE - 1) & ~(long) (BLOCK_SIZE - 1);
        }
        long start = from - Math.floorMod(from, alignment);
        long span = ((to - start + alignment - 1) / alignment) * alignment;
        if (span > buffer.byteSize()) {
            throw new IllegalStateException("read of " + length + " B at " + offset + " spans " + span + " B");
        }
        int n = reader.read(start, buffer.asSlice(0, span));
        if (n < to - start) {
            throw formatError(offset, "short read: " + length + " B wanted, the file ends first"
                    + " (truncated while open?)");
        }
        if (checksums != null) {
            long bad = checksums.verify(from, buffer, from - start, to - from);
            if (bad >= 0) {
                long block = bad / BLOCK_SIZE;
                throw new BpfKvChecksumException(file, bad, block < checksums.blocks() ? checksums.expected(block) : 0,
                        io.jxrp.bpfkv.format.ChecksumDescriptor.blockCrc(buffer, bad - start), checksums.sidecar());
            }
        }
        return buffer.asSlice(offset - start, length);
    }

    private void checkRoot() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment root = node(0, 0, arena.allocate(readSpan, readSpan), 0, 0);
            checkNodePointers(root, 0, 0);
        }
    }

    /** Every used pointer of a node on {@code level}: children in the next level, or values in the log. */
    private void checkNodePointers(MemorySegment node, long offset, int level) throws BpfKvFormatException {
        boolean leaf = level == layout.layers() - 1;
        for (int k = 0; k < FANOUT; k++) {
            long key = NodeDescriptor.key(node, 0, k);
            if (key == NodeDescriptor.EMPTY_KEY) {
                continue; // an unused slot's pointer means nothing
            }
            long pointer = NodeDescriptor.ptr(node, 0, k);
            String problem = leaf
                    ? valuePointerProblem(pointer, key)
                    : NodeDescriptor.checkChildPointer(pointer, layout.levelStartBytes(level + 1), layout.levelEndBytes(level + 1));
            if (problem != null) {
                throw formatError(offset + NodeDescriptor.ptrOffset(k), problem);
            }
        }
    }

    /** Reads and checks the top {@code levels} levels into a heap segment. */
    private MemorySegment loadTop(int levels) throws IOException {
        long bytes = layout.levelEndBytes(levels - 1);
        MemorySegment top = MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
        int chunk = Math.max(readSpan, 1 << 20);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(chunk, readSpan);
            for (long position = 0; position < bytes; position += chunk) {
                int length = (int) Math.min(chunk, bytes - position);
                MemorySegment.copy(read(position, length, buffer), 0, top, position, length);
            }
        }
        for (int level = 0; level < levels; level++) {
            for (long offset = layout.levelStartBytes(level); offset < layout.levelEndBytes(level); offset += BLOCK_SIZE) {
                MemorySegment node = top.asSlice(offset, BLOCK_SIZE);
                checkNode(node, offset, level, 0, 0);
                checkNodePointers(node, offset, level);
            }
        }
        // the separators: every cached child's keys inside the bounds its cached parent gives
        // (from the root down, so each parent's own bounds are known when its children are checked)
        long[] lows = new long[Math.toIntExact(layout.firstNodeOfLevel(levels))];
        long[] highs = new long[lows.length];
        for (int level = 0; level + 1 < levels; level++) {
            for (long offset = layout.levelStartBytes(level); offset < layout.levelEndBytes(level); offset += BLOCK_SIZE) {
                MemorySegment node = top.asSlice(offset, BLOCK_SIZE);
                int parent = (int) (offset / BLOCK_SIZE);
                for (int k = 0; k < FANOUT && NodeDescriptor.key(node, 0, k) != NodeDescriptor.EMPTY_KEY; k++) {
                    long childOffset = NodeDescriptor.decode(NodeDescriptor.ptr(node, 0, k));
                    int child = (int) (childOffset / BLOCK_SIZE);
                    lows[child] = NodeDescriptor.childLowerBound(node, 0, k, lows[parent]);
                    highs[child] = NodeDescriptor.childUpperBound(node, 0, k, highs[parent]);
                    checkNode(top.asSlice(childOffset, BLOCK_SIZE), childOffset, level + 1, lows[child], highs[child]);
                }
            }
        }
        return top;
    }

    /** A format problem at {@code offset}, naming the file (or the namespace). */
    private BpfKvFormatException formatError(long offset, String problem) {
        return file != null ? new BpfKvFormatException(file, offset, problem)
                : new BpfKvFormatException(reader.name(), offset, problem);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
