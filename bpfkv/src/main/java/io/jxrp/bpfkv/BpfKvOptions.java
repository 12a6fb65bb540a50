package io.jxrp.bpfkv;

/**
 * How to open a database.
 *
 * @param layers                 the layer count, or 0 to infer it from the file size (an override
 *                               must match the size)
 * @param cacheLevels            top index levels kept in memory (0..3, capped at the layer count),
 *                               the original's {@code --cache N}
 * @param logicalBlockSizeBytes  the device's logical block size for O_DIRECT reads, or 0 to probe it
 * @param requireDirect          fail where O_DIRECT is unavailable instead of reading through the page cache
 */
public record BpfKvOptions(int layers, int cacheLevels, int logicalBlockSizeBytes, boolean requireDirect) {
    public static final int MAX_CACHE_LEVELS = 3;

    public BpfKvOptions {
        if (layers < 0 || layers > TreeLayout.MAX_LAYERS) {
            throw new IllegalArgumentException("layers " + layers + " outside 0.." + TreeLayout.MAX_LAYERS + " (0 = infer)");
        }
        if (cacheLevels < 0 || cacheLevels > MAX_CACHE_LEVELS) {
            throw new IllegalArgumentException("cache levels " + cacheLevels + " outside 0.." + MAX_CACHE_LEVELS);
        }
        if (logicalBlockSizeBytes != 0 && (logicalBlockSizeBytes < 512 || Integer.bitCount(logicalBlockSizeBytes) != 1)) {
            throw new IllegalArgumentException("logical block size " + logicalBlockSizeBytes + " is not a power of two >= 512");
        }
    }

    /** Infer the layers, no cache, probe the block size, fall back to buffered reads with a warning. */
    public static BpfKvOptions defaults() {
        return new BpfKvOptions(0, 0, 0, false);
    }

    public BpfKvOptions withLayers(int count) {
        return new BpfKvOptions(count, cacheLevels, logicalBlockSizeBytes, requireDirect);
    }

    public BpfKvOptions withCacheLevels(int levels) {
        return new BpfKvOptions(layers, levels, logicalBlockSizeBytes, requireDirect);
    }

    public BpfKvOptions withLogicalBlockSize(int bytes) {
        return new BpfKvOptions(layers, cacheLevels, bytes, requireDirect);
    }

    public BpfKvOptions withRequireDirect(boolean required) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, required);
    }
}
