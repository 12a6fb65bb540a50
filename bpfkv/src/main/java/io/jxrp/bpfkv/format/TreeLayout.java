package io.jxrp.bpfkv.format;

import io.jxrp.bpfkv.BpfKvFormatException;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.nio.file.Path;

/**
 * Where things are in a BPF-KV file of {@code layers} levels: level {@code l} (0 = root) has
 * 31^l nodes, T nodes in all, keys 0 .. 31^L - 1, the value log at T * 512 with one 64 B value
 * per key in 512 B blocks (the last block written whole).
 *
 * @param layers number of index levels L (1 = the root is the only leaf)
 */
public record TreeLayout(int layers) {
    /** Largest layer count whose sizes fit a long comfortably (31^10 keys, 3.3 PB). */
    public static final int MAX_LAYERS = 10;

    public TreeLayout {
        if (layers < 1 || layers > MAX_LAYERS) {
            throw new IllegalArgumentException("layers " + layers + " outside 1.." + MAX_LAYERS);
        }
    }

    /** Nodes on level {@code level}: 31^level. */
    public long nodesOnLevel(int level) {
        checkLevel(level);
        return pow31(level);
    }

    /** Global index of the first node of {@code level} (0 for the root); {@code level == layers} gives T. */
    public long firstNodeOfLevel(int level) {
        if (level < 0 || level > layers) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + layers);
        }
        return FIRST_NODE[level];
    }

    /** T: nodes in the index. */
    public long totalNodes() {
        return firstNodeOfLevel(layers);
    }

    /** Keys 0 .. keyCount()-1 are present: 31^L. */
    public long keyCount() {
        return pow31(layers);
    }

    public long leafCount() {
        return nodesOnLevel(layers - 1);
    }

    /** Byte offset where the value log starts: T * 512. */
    public long valueLogOffset() {
        return totalNodes() * BLOCK_SIZE;
    }

    /** Value-log blocks: ceil(31^L / 8). */
    public long valueBlocks() {
        return (keyCount() + VALUES_PER_BLOCK - 1) / VALUES_PER_BLOCK;
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
        while (firstNodeOfLevel(level + 1) <= nodeIndex) {
            level++;
        }
        return level;
    }

    /** Keys one node of {@code level} spans: 31^(L - level). */
    public long keysPerNode(int level) {
        checkLevel(level);
        return pow31(layers - level);
    }

    /** Byte offset of key {@code key}'s value (where the leaf's pointer points, bit 63 clear). */
    public long valueOffset(long key) {
        return valueLogOffset() + key * VALUE_SIZE;
    }

    /** Byte offset of the leaf holding {@code key}. */
    public long leafOffsetOf(long key) {
        return (firstNodeOfLevel(layers - 1) + key / FANOUT) * BLOCK_SIZE;
    }

    /**
     * Whether this layout fixes each key's value slot (key K at {@code valueLogOffset() + K * 64}):
     * true for the layout {@code create} writes, which is the only one this class describes; files
     * that hold the user's own keys place values where they were written.
     */
    public boolean fixesValueSlots() {
        return true;
    }

    public boolean containsKey(long key) {
        return key >= 0 && key < keyCount();
    }

    /** The layer count whose file has exactly {@code fileSizeBytes}, or -1. */
    public static int layersForSize(long fileSizeBytes) {
        for (int l = 1; l <= MAX_LAYERS; l++) {
            if (new TreeLayout(l).fileSizeBytes() == fileSizeBytes) {
                return l;
            }
        }
        return -1;
    }

    /**
     * The layout of a file of {@code fileSizeBytes}: inferred when {@code layersOverride <= 0},
     * otherwise the override, which must match the size.
     *
     * @throws BpfKvFormatException naming the file when no (or not that) layer count matches
     */
    public static TreeLayout forFile(Path file, long fileSizeBytes, int layersOverride) throws BpfKvFormatException {
        if (layersOverride > 0) {
            if (layersOverride > MAX_LAYERS) {
                throw new BpfKvFormatException(file, 0, "layer count " + layersOverride + " outside 1.." + MAX_LAYERS);
            }
            TreeLayout layout = new TreeLayout(layersOverride);
            if (layout.fileSizeBytes() != fileSizeBytes) {
                int inferred = layersForSize(fileSizeBytes);
                throw new BpfKvFormatException(file, fileSizeBytes, "file size " + fileSizeBytes + " B does not match "
                        + layersOverride + " layers (expected " + layout.fileSizeBytes() + " B)"
                        + (inferred > 0 ? "; the size matches " + inferred + " layers" : "; " + describeSizes(fileSizeBytes)));
            }
            return layout;
        }
        int layers = layersForSize(fileSizeBytes);
        if (layers < 0) {
            throw new BpfKvFormatException(file, fileSizeBytes, "not a BPF-KV database or truncated: file size "
                    + fileSizeBytes + " B matches no layer count; " + describeSizes(fileSizeBytes));
        }
        return new TreeLayout(layers);
    }

    private static String describeSizes(long fileSizeBytes) {
        StringBuilder sizes = new StringBuilder("valid sizes are");
        for (int l = 1; l <= MAX_LAYERS; l++) {
            long size = new TreeLayout(l).fileSizeBytes();
            sizes.append(l == 1 ? " " : ", ").append(l).append(" layers ").append(size).append(" B");
            if (size > fileSizeBytes) {
                sizes.append(", ...");
                break;
            }
        }
        return sizes.toString();
    }

    private void checkLevel(int level) {
        if (level < 0 || level >= layers) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + (layers - 1));
        }
    }

    /** 31^0 .. 31^MAX_LAYERS, and the first node index of each level: the hot path only looks them up. */
    private static final long[] POW31 = new long[MAX_LAYERS + 1];
    private static final long[] FIRST_NODE = new long[MAX_LAYERS + 1];

    static {
        POW31[0] = 1;
        for (int i = 1; i <= MAX_LAYERS; i++) {
            POW31[i] = POW31[i - 1] * FANOUT;
            FIRST_NODE[i] = (POW31[i] - 1) / (FANOUT - 1);
        }
    }

    private static long pow31(int exponent) {
        return POW31[exponent];
    }
}
