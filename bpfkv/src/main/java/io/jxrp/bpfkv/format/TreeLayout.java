package io.jxrp.bpfkv.format;

import io.jxrp.bpfkv.BpfKvFormatException;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where things are in a BPF-KV file: the original's layout (root at offset 0, every level
 * breadth-first, then the value log), packed for any number of keys. A file of {@code n} keys has
 * the fewest layers L with 31^L >= n; its leaf level holds ceil(n / 31) leaves (every leaf full but
 * the last), each level above ceil(below / 31) nodes, so level l (0 = root) starts at node
 * {@code firstNodeOfLevel(l)}; T nodes in all; the value log at T * 512 holds the value of the key of
 * rank r (0-based, ascending unsigned) at {@code T * 512 + r * 64}, ceil(n / 8) blocks of 512 B.
 * Unused key slots (only in the last node of each level) hold {@link NodeDescriptor#EMPTY_KEY},
 * their pointers 0.
 *
 * <p>With n = 31^L this is exactly the original's {@code create} layout: every level full and key K
 * of rank K ({@link #isDense()}), the shape {@code bpfkv create} writes and the original's tools
 * expect; the original's lookups (child choice, leaf scan) find every key of any packed file.
 */
public final class TreeLayout {
    /** Largest layer count whose sizes fit a long comfortably (31^10 keys, 3.3 PB). */
    public static final int MAX_LAYERS = 10;

    private final int layers;
    private final long keyCount;
    private final boolean denseKeys;
    /** firstNode[l]: index of the first node of level l; firstNode[layers] = T. */
    private final long[] firstNode;

    /** The dense layout of {@code layers} layers: keys 0 .. 31^L - 1, as {@code create} writes it. */
    public TreeLayout(int layers) {
        this(checkLayers(layers), POW31[layers], true);
    }

    /**
     * The packed layout of {@code keyCount} keys in {@code layers} layers.
     *
     * @param denseKeys the keys are exactly 0 .. 31^L - 1 (every level full): create's files, where
     *                  key K has rank K and a key of that range missing means a corrupt file
     * @throws IllegalArgumentException when {@code layers} is not the fewest that hold the keys
     */
    public TreeLayout(int layers, long keyCount, boolean denseKeys) {
        checkLayers(layers);
        if (keyCount < 0 || keyCount > POW31[layers] || layers != layersFor(keyCount)) {
            throw new IllegalArgumentException(keyCount + " keys are not packed in " + layers + " layers (they take "
                    + (keyCount < 0 || keyCount > POW31[MAX_LAYERS] ? "more than " + MAX_LAYERS : layersFor(keyCount)) + ")");
        }
        if (denseKeys && keyCount != POW31[layers]) {
            throw new IllegalArgumentException(keyCount + " keys do not fill " + layers + " layers: not dense");
        }
        this.layers = layers;
        this.keyCount = keyCount;
        this.denseKeys = denseKeys;
        long[] counts = new long[layers];
        counts[layers - 1] = Math.max(1, ceilDiv(keyCount, FANOUT));
        for (int l = layers - 2; l >= 0; l--) {
            counts[l] = ceilDiv(counts[l + 1], FANOUT);
        }
        this.firstNode = new long[layers + 1];
        for (int l = 0; l < layers; l++) {
            firstNode[l + 1] = firstNode[l] + counts[l];
        }
    }

    /**
     * The packed layout of {@code keyCount} keys: the fewest layers that hold them (1 for none);
     * {@code denseKeys} when the keys are exactly 0 .. keyCount - 1 and fill their layers.
     */
    public static TreeLayout forKeys(long keyCount, boolean denseKeys) {
        if (keyCount < 0 || keyCount > POW31[MAX_LAYERS]) {
            throw new IllegalArgumentException(keyCount + " keys: more than " + MAX_LAYERS + " layers hold");
        }
        int layers = layersFor(keyCount);
        return new TreeLayout(layers, keyCount, denseKeys && keyCount == POW31[layers]);
    }

    /** The fewest layers whose nodes hold {@code keyCount} keys (1 for 0 keys). */
    public static int layersFor(long keyCount) {
        int layers = 1;
        while (layers < MAX_LAYERS && POW31[layers] < keyCount) {
            layers++;
        }
        return layers;
    }

    public int layers() {
        return layers;
    }

    /** Keys in the file. */
    public long keyCount() {
        return keyCount;
    }

    /**
     * Whether the keys are exactly 0 .. 31^L - 1 ({@code create}'s files): key K has rank K, and a
     * key of that range missing where its path leads means a corrupt file, never "not found".
     */
    public boolean isDense() {
        return denseKeys;
    }

    /** Nodes on level {@code level}. */
    public long nodesOnLevel(int level) {
        checkLevel(level);
        return firstNode[level + 1] - firstNode[level];
    }

    /** Global index of the first node of {@code level} (0 for the root); {@code level == layers} gives T. */
    public long firstNodeOfLevel(int level) {
        if (level < 0 || level > layers) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + layers);
        }
        return firstNode[level];
    }

    /** T: nodes in the index. */
    public long totalNodes() {
        return firstNode[layers];
    }

    public long leafCount() {
        return nodesOnLevel(layers - 1);
    }

    /** Byte offset where the value log starts: T * 512. */
    public long valueLogOffset() {
        return totalNodes() * BLOCK_SIZE;
    }

    /** Value-log blocks: ceil(n / 8). */
    public long valueBlocks() {
        return ceilDiv(keyCount, VALUES_PER_BLOCK);
    }

    /** Total 512 B blocks in the file (index nodes and value blocks). */
    public long totalBlocks() {
        return totalNodes() + valueBlocks();
    }

    public long fileSizeBytes() {
        return totalBlocks() * BLOCK_SIZE;
    }

    /** Byte offset of the first node of {@code level}. */
    public long levelStartBytes(int level) {
        return firstNodeOfLevel(level) * BLOCK_SIZE;
    }

    /** Byte offset just past the last node of {@code level}. */
    public long levelEndBytes(int level) {
        return firstNodeOfLevel(level + 1) * BLOCK_SIZE;
    }

    /** Level of the node at global index {@code nodeIndex} ({@code 0 <= nodeIndex < T}). */
    public int levelOfNode(long nodeIndex) {
        if (nodeIndex < 0 || nodeIndex >= totalNodes()) {
            throw new IllegalArgumentException("node " + nodeIndex + " outside 0.." + (totalNodes() - 1));
        }
        int level = 0;
        while (firstNode[level + 1] <= nodeIndex) {
            level++;
        }
        return level;
    }

    /** Keys one node of {@code level} spans when full: 31^(L - level). */
    public long keysPerNode(int level) {
        checkLevel(level);
        return POW31[layers - level];
    }

    /** Byte offset of the value of the key of rank {@code rank} (where its leaf's pointer points, bit 63 clear). */
    public long valueOffsetOfRank(long rank) {
        return valueLogOffset() + rank * VALUE_SIZE;
    }

    /** Dense files: byte offset of key {@code key}'s value (its rank is the key). */
    public long valueOffset(long key) {
        return valueOffsetOfRank(key);
    }

    /** Byte offset of the leaf holding the key of rank {@code rank}. */
    public long leafOffsetOfRank(long rank) {
        return (firstNode[layers - 1] + rank / FANOUT) * BLOCK_SIZE;
    }

    /** Dense files: byte offset of the leaf holding {@code key}. */
    public long leafOffsetOf(long key) {
        return leafOffsetOfRank(key);
    }

    /**
     * Whether this layout fixes each key's value slot (key K at {@code valueLogOffset() + K * 64}):
     * true for create's dense files; files that hold the user's own keys place the value of the key
     * of rank r at {@code valueOffsetOfRank(r)}, which a key alone does not tell.
     */
    public boolean fixesValueSlots() {
        return denseKeys;
    }

    /** Dense files: whether {@code key} is one of the keys 0 .. n-1 (unsigned). */
    public boolean containsKey(long key) {
        return Long.compareUnsigned(key, keyCount) < 0;
    }

    /** The dense layer count whose file has exactly {@code fileSizeBytes}, or -1. */
    public static int layersForSize(long fileSizeBytes) {
        for (int l = 1; l <= MAX_LAYERS; l++) {
            if (new TreeLayout(l).fileSizeBytes() == fileSizeBytes) {
                return l;
            }
        }
        return -1;
    }

    /**
     * The packed layout whose last leaf is at {@code lastLeafOffset} with {@code usedInLastLeaf}
     * keys, {@code layers} below the root: what a descent along the last child of every node
     * finds. The key count follows (every leaf before the last is full); the keys are dense when the
     * levels are full, the first key (the root's key[0]) is 0 and the last is the count - 1.
     *
     * @throws BpfKvFormatException naming the file when no packed layout has that shape, or its size
     *                              is not {@code fileSizeBytes}
     */
    public static TreeLayout fromShape(Path file, int layers, long lastLeafOffset, int usedInLastLeaf,
                                       long fileSizeBytes, long firstKey, long lastKey) throws BpfKvFormatException {
        if (layers < 1 || layers > MAX_LAYERS) {
            throw new BpfKvFormatException(file, 0, "the root is " + layers + " levels above its leaves; at most "
                    + MAX_LAYERS + " are supported (cycle or corrupt node?)");
        }
        if (usedInLastLeaf < 0 || usedInLastLeaf > FANOUT || (usedInLastLeaf == 0 && layers > 1)) {
            throw new BpfKvFormatException(file, lastLeafOffset, "last leaf holds " + usedInLastLeaf
                    + " keys: not a packed BPF-KV file");
        }
        // the last leaf is the last node: T = lastLeaf / 512 + 1; find the leaf count that gives that T
        long wantedNodes = lastLeafOffset / BLOCK_SIZE + 1;
        long low = 1;
        long high = POW31[layers - 1];
        while (low < high) {
            long mid = low + (high - low) / 2;
            if (nodesFor(layers, mid) < wantedNodes) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        long keys = (low - 1) * FANOUT + usedInLastLeaf;
        TreeLayout layout;
        try {
            layout = new TreeLayout(layers, keys, keys == POW31[layers] && firstKey == 0 && lastKey == keys - 1);
        } catch (IllegalArgumentException e) {
            throw new BpfKvFormatException(file, lastLeafOffset, "last leaf at offset " + lastLeafOffset + " with "
                    + usedInLastLeaf + " keys " + layers + " levels below the root fits no packed layout: " + e.getMessage());
        }
        if (lastLeafOffset % BLOCK_SIZE != 0 || layout.totalNodes() != wantedNodes) {
            throw new BpfKvFormatException(file, lastLeafOffset, "last leaf at offset " + lastLeafOffset + " is not the "
                    + "last node of a packed " + layers + "-layer index (not a BPF-KV file, or corrupt)");
        }
        if (layout.fileSizeBytes() != fileSizeBytes) {
            int dense = layersForSize(fileSizeBytes);
            throw new BpfKvFormatException(file, fileSizeBytes, "file size " + fileSizeBytes + " B does not match its "
                    + "index (" + keys + " keys in " + layers + " layers take " + layout.fileSizeBytes() + " B): truncated or "
                    + "not a BPF-KV file" + (dense > 0 ? " (the size is that of a " + dense + "-layer create)" : ""));
        }
        return layout;
    }

    /** Nodes of a packed index of {@code layers} layers with {@code leaves} leaves. */
    private static long nodesFor(int layers, long leaves) {
        long total = 0;
        long count = leaves;
        for (int l = layers - 1; l >= 0; l--) {
            total += count;
            count = ceilDiv(count, FANOUT);
        }
        return total;
    }

    private void checkLevel(int level) {
        if (level < 0 || level >= layers) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + (layers - 1));
        }
    }

    private static int checkLayers(int layers) {
        if (layers < 1 || layers > MAX_LAYERS) {
            throw new IllegalArgumentException("layers " + layers + " outside 1.." + MAX_LAYERS);
        }
        return layers;
    }

    private static long ceilDiv(long value, long divisor) {
        return (value + divisor - 1) / divisor;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TreeLayout that && that.layers == layers && that.keyCount == keyCount
                && that.denseKeys == denseKeys;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(keyCount) * 31 + layers;
    }

    @Override
    public String toString() {
        return "TreeLayout[layers=" + layers + ", keys=" + keyCount + (denseKeys ? ", dense" : "") + "]";
    }

    /** 31^0 .. 31^MAX_LAYERS. */
    private static final long[] POW31 = new long[MAX_LAYERS + 1];

    static {
        POW31[0] = 1;
        for (int i = 1; i <= MAX_LAYERS; i++) {
            POW31[i] = POW31[i - 1] * FANOUT;
        }
    }

    /** For tests: the per-level node counts. */
    long[] levelCounts() {
        long[] counts = new long[layers];
        Arrays.setAll(counts, this::nodesOnLevel);
        return counts;
    }
}
