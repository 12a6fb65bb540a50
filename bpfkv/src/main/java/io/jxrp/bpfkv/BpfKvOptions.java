package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.engine.EngineOptions;
import java.util.Objects;

/**
 * How to open a database. Start from {@link #defaults()} and change what matters.
 *
 * @param layers                 the layer count, or 0 to find it by descending from the root (an
 *                               override must match what the descent finds)
 * @param cacheLevels            top index levels kept in memory (0..3, capped at the layer count),
 *                               the original's {@code --cache N}
 * @param logicalBlockSizeBytes  the device's logical block size for the pread path's O_DIRECT
 *                               reads, or 0 to probe it
 * @param requireDirect          fail where O_DIRECT is unavailable instead of reading through the page cache
 * @param mode                   {@link Mode#ENGINE}: operations run as engine requests with Java storage
 *                               functions, falling back to pread on any outcome but OK;
 *                               {@link Mode#PREAD}: the synchronous baseline only, no engine
 * @param engine                 the engine's options (backend, reactors, depth, ...) in engine mode
 * @param functions              the storage functions the engine runs (default: the Java ones)
 * @param checksums              whether blocks are verified against the database's checksum sidecar
 *                               ({@code <file>.crc32c}): {@link Checksums#AUTO} by default
 * @param writable               open for puts and deletes: locks the database (one writer), appends to
 *                               its write-ahead log; reading needs no lock
 * @param checkpointEntries      fold the committed writes into a new tree file once this many keys
 *                               wait in memory (0: only at close or on {@code checkpoint()})
 * @param checkpointOnClose      at close, fold what the log holds into the tree file, so the file alone
 *                               (as the original's tools read it) holds every write
 */
public record BpfKvOptions(int layers, int cacheLevels, int logicalBlockSizeBytes, boolean requireDirect, Mode mode,
                           EngineOptions engine, StorageFunctions.Factory functions, Checksums checksums,
                           boolean writable, long checkpointEntries, boolean checkpointOnClose) {
    public static final int MAX_CACHE_LEVELS = 3;
    /** The default {@link #checkpointEntries()}. */
    public static final long DEFAULT_CHECKPOINT_ENTRIES = 1_000_000;

    /** Which path the operations take. */
    public enum Mode {
        ENGINE, PREAD
    }

    /**
     * Block checksums: where a database has a sidecar, every block read (by the engine, before a storage
     * function sees it, and by the pread path) is verified against it, and a mismatch is an error
     * naming the block, never data.
     */
    public enum Checksums {
        /** Verify when the database has a sidecar; a damaged or stale sidecar is an error. */
        AUTO,
        /** Verify, and refuse a database without a sidecar. */
        REQUIRE,
        /** Ignore any sidecar. */
        OFF
    }

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
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(functions, "functions");
        Objects.requireNonNull(checksums, "checksums");
        if (checkpointEntries < 0) {
            throw new IllegalArgumentException("checkpoint entries " + checkpointEntries + " < 0");
        }
    }

    /** Find the layers, no cache, probe the block size, engine mode with the engine's defaults, read-only. */
    public static BpfKvOptions defaults() {
        return new BpfKvOptions(0, 0, 0, false, Mode.ENGINE, EngineOptions.defaults(), StorageFunctions.Factory.JAVA,
                Checksums.AUTO, false, DEFAULT_CHECKPOINT_ENTRIES, true);
    }

    public BpfKvOptions withLayers(int count) {
        return new BpfKvOptions(count, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, engine, functions, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withCacheLevels(int levels) {
        return new BpfKvOptions(layers, levels, logicalBlockSizeBytes, requireDirect, mode, engine, functions, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withLogicalBlockSize(int bytes) {
        return new BpfKvOptions(layers, cacheLevels, bytes, requireDirect, mode, engine, functions, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withRequireDirect(boolean required) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, required, mode, engine, functions, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withMode(Mode newMode) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, newMode, engine, functions, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withFunctions(StorageFunctions.Factory factory) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, engine, factory, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withChecksums(Checksums verify) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, engine, functions, verify,
                writable, checkpointEntries, checkpointOnClose);
    }

    public BpfKvOptions withEngine(EngineOptions options) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, options, functions, checksums,
                writable, checkpointEntries, checkpointOnClose);
    }

    /** Open for puts and deletes (one writer at a time; the file and its directory must be writable). */
    public BpfKvOptions withWritable(boolean open) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, engine, functions, checksums,
                open, checkpointEntries, checkpointOnClose);
    }

    /** Checkpoint once {@code entries} keys wait in memory (0: only at close or when asked). */
    public BpfKvOptions withCheckpointEntries(long entries) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, engine, functions, checksums,
                writable, entries, checkpointOnClose);
    }

    /** Whether close folds the log into the tree file. */
    public BpfKvOptions withCheckpointOnClose(boolean fold) {
        return new BpfKvOptions(layers, cacheLevels, logicalBlockSizeBytes, requireDirect, mode, engine, functions, checksums,
                writable, checkpointEntries, fold);
    }
}
