package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.U64;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Creates a BPF-KV database of L layers, byte-identical to the original's {@code create}: the index
 * breadth-first, then the value log. Blocks are generated into large aligned off-heap buffers
 * and written through a {@link BlockWriter} (O_DIRECT), several buffers in flight so generation
 * overlaps I/O, one fsync at the end.
 */
public final class DbBuilder {
    /** Called on the creating thread as bytes reach the writer's completion. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long bytesDone, long bytesTotal);
    }

    /**
     * @param force           overwrite an existing file
     * @param bufferBytes     size of each generation buffer (a multiple of 4096)
     * @param buffersInFlight buffers being generated or written at once (at least 2)
     * @param requireDirect   fail where O_DIRECT is unavailable instead of writing through the page cache
     * @param progress        progress callback
     * @param writerFactory   where the writes go
     */
    public record Options(boolean force, int bufferBytes, int buffersInFlight, boolean requireDirect, Progress progress,
                          BlockWriter.Factory writerFactory) {
        public Options {
            if (bufferBytes <= 0 || bufferBytes % ChannelBlockWriter.MIN_ALIGNMENT != 0) {
                throw new IllegalArgumentException("buffer size " + bufferBytes + " is not a positive multiple of 4096");
            }
            if (buffersInFlight < 2) {
                throw new IllegalArgumentException("need at least 2 buffers in flight, got " + buffersInFlight);
            }
            Objects.requireNonNull(progress, "progress");
            Objects.requireNonNull(writerFactory, "writerFactory");
        }

        /** No overwrite, 4 MiB buffers, 3 in flight, O_DIRECT preferred (io_uring where it loads), no progress. */
        public static Options defaults() {
            return new Options(false, 4 << 20, 3, false, Progress.NONE, BlockWriter::open);
        }

        public Options withForce(boolean overwrite) {
            return new Options(overwrite, bufferBytes, buffersInFlight, requireDirect, progress, writerFactory);
        }

        public Options withBuffers(int bytes, int inFlight) {
            return new Options(force, bytes, inFlight, requireDirect, progress, writerFactory);
        }

        public Options withRequireDirect(boolean required) {
            return new Options(force, bufferBytes, buffersInFlight, required, progress, writerFactory);
        }

        public Options withProgress(Progress callback) {
            return new Options(force, bufferBytes, buffersInFlight, requireDirect, callback, writerFactory);
        }

        public Options withWriterFactory(BlockWriter.Factory factory) {
            return new Options(force, bufferBytes, buffersInFlight, requireDirect, progress, factory);
        }
    }

    /**
     * What was created.
     *
     * @param direct whether the writes bypassed the page cache
     * @param writes how the writes were done (io_uring or FileChannel, O_DIRECT or buffered)
     */
    public record Result(Path file, TreeLayout layout, long sizeBytes, boolean direct, String writes, long elapsedNanos) {
    }

    private DbBuilder() {
    }

    /**
     * Creates {@code file} with {@code layers} layers.
     *
     * @throws FileAlreadyExistsException when the file exists and {@code force} is off
     * @throws IOException                when the disk lacks the space (checked first) or a write fails;
     *                                    a partly written file is deleted
     */
    public static Result create(Path file, int layers, Options options) throws IOException {
        TreeLayout layout = new TreeLayout(layers);
        long size = layout.fileSizeBytes();
        boolean exists = Files.exists(file);
        if (exists && !options.force()) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "already exists; use --force (Options.withForce) to overwrite it");
        }
        if (exists && !Files.isRegularFile(file)) {
            throw new IOException(file + ": exists and is not a regular file; refusing to overwrite it");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new IOException(parent + ": no such directory");
        }
        FileStore store = Files.getFileStore(parent);
        long available = store.getUsableSpace() + (exists ? Files.size(file) : 0);
        if (available < size) {
            throw new IOException("not enough free space on " + store + " for " + layers + " layers: need "
                    + size + " B (" + human(size) + "), " + available + " B (" + human(available) + ") available");
        }

        long start = System.nanoTime();
        boolean done = false;
        String writes;
        boolean direct;
        BlockWriter writer = options.writerFactory().create(file, options.requireDirect(), options.buffersInFlight(),
                options.bufferBytes());
        try (writer) {
            direct = writer.direct();
            writes = writer.describe();
            writeAll(layout, writer, options);
            writer.finish(size);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
        return new Result(file, layout, size, direct, writes, System.nanoTime() - start);
    }

    private static void writeAll(TreeLayout layout, BlockWriter writer, Options options) throws IOException {
        int ring = writer.bufferCount();
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[ring];
        long[] inFlightBytes = new long[ring];
        long totalBytes = layout.fileSizeBytes();
        options.progress().update(0, totalBytes);
        long bytesDone;
        try {
            bytesDone = generateAndWrite(layout, writer, options, inFlight, inFlightBytes);
        } finally {
            // the writer may still read a buffer after a failure: never close it under a write
            for (CompletableFuture<?> write : inFlight) {
                if (write != null) {
                    write.handle((ignored, error) -> null).join();
                }
            }
        }
        options.progress().update(bytesDone, totalBytes);
    }

    private static long generateAndWrite(TreeLayout layout, BlockWriter writer, Options options,
                                         CompletableFuture<?>[] inFlight, long[] inFlightBytes) throws IOException {
        long totalBlocks = layout.totalBlocks();
        long totalBytes = totalBlocks * BLOCK_SIZE;
        int ring = inFlight.length;
        int alignment = Math.max(writer.alignment(), BLOCK_SIZE);
        int blocksPerBuffer = writer.bufferSizeBytes() / BLOCK_SIZE;
        BlockGenerator generator = new BlockGenerator(layout);
        long bytesDone = 0;
        long block = 0;
        for (int chunk = 0; block < totalBlocks; chunk++) {
            int slot = chunk % ring;
            if (inFlight[slot] != null) {
                await(inFlight[slot]);
                bytesDone += inFlightBytes[slot];
                options.progress().update(bytesDone, totalBytes);
            }
            int blocks = (int) Math.min(blocksPerBuffer, totalBlocks - block);
            MemorySegment buffer = writer.buffer(slot);
            generator.generate(block, blocks, buffer);
            long length = (long) blocks * BLOCK_SIZE;
            long padded = (length + alignment - 1) / alignment * alignment;
            if (padded > length) {
                buffer.asSlice(length, padded - length).fill((byte) 0); // cut off again by finish()
            }
            inFlight[slot] = writer.write(slot, block * BLOCK_SIZE, (int) padded);
            inFlightBytes[slot] = length;
            block += blocks;
        }
        for (int i = 0; i < ring; i++) {
            if (inFlight[i] != null) {
                await(inFlight[i]);
                bytesDone += inFlightBytes[i];
                inFlight[i] = null;
            }
        }
        return bytesDone;
    }

    private static void await(CompletableFuture<?> write) throws IOException {
        try {
            write.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("write failed: " + cause, cause);
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }

    /**
     * Fills buffers with the file's 512 B blocks by formula: block b &lt; T is node b, block b &gt;= T
     * is value-log block b - T. Stateless apart from scratch, so any range can be generated.
     */
    static final class BlockGenerator {
        private final TreeLayout layout;
        private final long totalNodes;
        private final long valueLogOffset;
        private final byte[] valueBlock = new byte[BLOCK_SIZE];
        private final MemorySegment valueBlockSegment = MemorySegment.ofArray(valueBlock);

        BlockGenerator(TreeLayout layout) {
            this.layout = layout;
            this.totalNodes = layout.totalNodes();
            this.valueLogOffset = layout.valueLogOffset();
        }

        void generate(long firstBlock, int blocks, MemorySegment target) {
            int level = firstBlock < totalNodes ? layout.levelOfNode(firstBlock) : -1;
            for (int i = 0; i < blocks; i++) {
                long block = firstBlock + i;
                long base = (long) i * BLOCK_SIZE;
                if (block < totalNodes) {
                    while (block >= layout.firstNodeOfLevel(level + 1)) {
                        level++;
                    }
                    writeNode(block, level, target, base);
                } else {
                    writeValueBlock(block - totalNodes, target, base);
                }
            }
        }

        private void writeNode(long node, int level, MemorySegment target, long base) {
            long first = layout.firstNodeOfLevel(level);
            long indexInLevel = node - first;
            boolean leaf = level == layout.layers() - 1;
            boolean lastOfLevel = indexInLevel == layout.nodesOnLevel(level) - 1;
            target.set(U64, base + NodeDescriptor.NEXT_OFFSET, lastOfLevel ? 0 : (node + 1) * BLOCK_SIZE);
            target.set(U64, base + NodeDescriptor.TYPE_OFFSET, leaf ? NodeDescriptor.TYPE_LEAF : NodeDescriptor.TYPE_INTERNAL);
            long keysPerChild = leaf ? 1 : layout.keysPerNode(level + 1);
            long firstChild = indexInLevel * FANOUT;
            long childLevelStart = leaf ? 0 : layout.firstNodeOfLevel(level + 1);
            for (int k = 0; k < FANOUT; k++) {
                long child = firstChild + k;
                target.set(U64, base + NodeDescriptor.keyOffset(k), child * keysPerChild);
                long pointer = leaf ? valueLogOffset + child * VALUE_SIZE : (childLevelStart + child) * BLOCK_SIZE;
                target.set(U64, base + NodeDescriptor.ptrOffset(k), NodeDescriptor.encode(pointer));
            }
        }

        private void writeValueBlock(long valueBlockIndex, MemorySegment target, long base) {
            long firstKey = valueBlockIndex * VALUES_PER_BLOCK;
            for (int j = 0; j < VALUES_PER_BLOCK; j++) {
                NodeDescriptor.formatValue(firstKey + j, valueBlock, j * VALUE_SIZE);
            }
            MemorySegment.copy(valueBlockSegment, 0, target, base, BLOCK_SIZE);
        }
    }
}
