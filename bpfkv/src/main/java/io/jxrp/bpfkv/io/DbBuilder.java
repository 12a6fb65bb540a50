package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.U64;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import io.jxrp.engine.TargetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Creates a BPF-KV database of L layers, byte-identical to the original's {@code create}: the index
 * breadth-first, then the value log. Blocks are generated into large aligned off-heap buffers
 * and written through a {@link BlockWriter} (O_DIRECT), several buffers in flight so generation
 * overlaps I/O, one fsync at the end. The CRC32C of every block is taken as it is generated and,
 * once the database is durable, written to its checksum sidecar ({@link BlockChecksums}), which the
 * original never opens.
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
     * @param checksums       write the checksum sidecar ({@code <file>.crc32c}) too
     */
    public record Options(boolean force, int bufferBytes, int buffersInFlight, boolean requireDirect, Progress progress,
                          BlockWriter.Factory writerFactory, boolean checksums) {
        public Options {
            if (bufferBytes <= 0 || bufferBytes % ChannelBlockWriter.MIN_ALIGNMENT != 0 || bufferBytes > MAX_BUFFER_BYTES) {
                throw new IllegalArgumentException("buffer size " + bufferBytes + " is not a multiple of 4096 in 4096.."
                        + MAX_BUFFER_BYTES);
            }
            if (buffersInFlight < 2) {
                throw new IllegalArgumentException("need at least 2 buffers in flight, got " + buffersInFlight);
            }
            Objects.requireNonNull(progress, "progress");
            Objects.requireNonNull(writerFactory, "writerFactory");
        }

        /** Largest buffer: a generation buffer is one write, whose length is an int. */
        public static final int MAX_BUFFER_BYTES = 1 << 30;

        /** No overwrite, 4 MiB buffers, 3 in flight, O_DIRECT preferred (io_uring where it loads), no progress, a sidecar. */
        public static Options defaults() {
            return new Options(false, 4 << 20, 3, false, Progress.NONE, BlockWriter::open, true);
        }

        public Options withChecksums(boolean write) {
            return new Options(force, bufferBytes, buffersInFlight, requireDirect, progress, writerFactory, write);
        }

        public Options withForce(boolean overwrite) {
            return new Options(overwrite, bufferBytes, buffersInFlight, requireDirect, progress, writerFactory, checksums);
        }

        public Options withBuffers(int bytes, int inFlight) {
            return new Options(force, bytes, inFlight, requireDirect, progress, writerFactory, checksums);
        }

        public Options withRequireDirect(boolean required) {
            return new Options(force, bufferBytes, buffersInFlight, required, progress, writerFactory, checksums);
        }

        public Options withProgress(Progress callback) {
            return new Options(force, bufferBytes, buffersInFlight, requireDirect, callback, writerFactory, checksums);
        }

        public Options withWriterFactory(BlockWriter.Factory factory) {
            return new Options(force, bufferBytes, buffersInFlight, requireDirect, progress, factory, checksums);
        }
    }

    /**
     * What was created.
     *
     * @param file   the file, or null for a database written onto a namespace
     * @param sidecar its checksum sidecar, or null (none asked for, or a namespace)
     * @param direct whether the writes bypassed the page cache
     * @param writes how the writes were done (io_uring or FileChannel, O_DIRECT or buffered)
     */
    public record Result(Path file, TreeLayout layout, long sizeBytes, boolean direct, String writes, long elapsedNanos,
                         Path sidecar) {
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
        if (RawDevices.isBlockDevice(file)) {
            return create(TargetSpec.of(file), layers, options);
        }
        TreeLayout layout = new TreeLayout(layers);
        return write(file, layout, new BlockGenerator(layout), options, false, false);
    }

    /**
     * Writes {@code file} with the blocks {@code source} generates for {@code layout}: checks the
     * target and the free space first; with {@code viaTemporary} the blocks go to a temporary file
     * beside it that replaces {@code file} (rename) only once complete and synced, so a failure leaves
     * an existing file as it was.
     */
    static Result write(Path file, TreeLayout layout, BlockSource source, Options options, boolean viaTemporary)
            throws IOException {
        return write(file, layout, source, options, viaTemporary, false);
    }

    /** As above; {@code keepLogs}: a checkpoint's rewrite of the same database keeps its write-ahead log. */
    static Result write(Path file, TreeLayout layout, BlockSource source, Options options, boolean viaTemporary,
                        boolean keepLogs) throws IOException {
        long size = layout.fileSizeBytes();
        check(file, layout, options);
        Path parent = file.toAbsolutePath().getParent();

        long start = System.nanoTime();
        boolean done = false;
        String writes;
        boolean direct;
        // an old sidecar describes the old file: gone before a byte of the new one is written (for a
        // temporary file: before it replaces the old one, so no crash leaves a stale sidecar beside it)
        Path sidecar = ChecksumDescriptor.sidecarOf(file);
        if (!viaTemporary) {
            Files.deleteIfExists(sidecar);
        }
        BlockChecksums.Builder checksums = options.checksums() ? new BlockChecksums.Builder(size) : null;
        Path target = viaTemporary ? parent.resolve(file.getFileName() + ".loading") : file;
        if (!keepLogs) {
            io.jxrp.bpfkv.format.WalDescriptor.deleteLogs(file); // another database's writes must not replay onto this one
        }
        BlockWriter writer = options.writerFactory().create(target, options.requireDirect(), options.buffersInFlight(),
                options.bufferBytes());
        try (writer) {
            direct = writer.direct();
            writes = writer.describe();
            writeAll(layout, source, writer, options, checksums);
            writer.finish(size);
            if (viaTemporary) {
                Files.deleteIfExists(sidecar);
                syncDirectory(parent);
                Files.move(target, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(parent);
            }
            if (checksums != null) {
                checksums.build(file).write(); // after the database is durable: a sidecar never describes a file not there
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(target);
                if (!viaTemporary) {
                    Files.deleteIfExists(sidecar);
                }
            }
        }
        return new Result(file, layout, size, direct, writes, System.nanoTime() - start, checksums == null ? null : sidecar);
    }

    /**
     * Everything {@link #create} checks before it writes a byte: that the file may be (over)written, that
     * its directory exists and is writable, that the disk has the space. Cheap; call it before showing
     * progress.
     *
     * @return whether the file exists (and will be overwritten)
     * @throws FileAlreadyExistsException the file exists and {@code force} is off
     * @throws IOException naming the file or directory and the problem
     */
    public static boolean check(Path file, int layers, Options options) throws IOException {
        return check(file, new TreeLayout(layers), options);
    }

    /** As {@link #check(Path, int, Options)} for a file of {@code layout}. */
    public static boolean check(Path file, TreeLayout layout, Options options) throws IOException {
        if (RawDevices.isBlockDevice(file)) {
            return true; // written as a namespace: opening it checks its size and its first block
        }
        int layers = layout.layers();
        long size = layout.fileSizeBytes();
        boolean exists = Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.exists(file);
        if (exists && !options.force()) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "already exists; use --force (Options.withForce) to overwrite it");
        }
        if (exists && !Files.isRegularFile(file)) {
            throw new IOException(file + ": exists and is not a regular file"
                    + (Files.isDirectory(file) ? " but a directory" : "") + "; refusing to overwrite it");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new java.nio.file.NoSuchFileException(parent.toString(), null, "no such directory");
        }
        if (!Files.isWritable(parent) || (exists && !Files.isWritable(file))) {
            throw new java.nio.file.AccessDeniedException(exists && !Files.isWritable(file) ? file.toString()
                    : parent.toString(), null, "permission denied: cannot " + (exists ? "overwrite " + file.getFileName()
                    : "create " + file.getFileName() + " there"));
        }
        FileStore store = Files.getFileStore(parent);
        long available = store.getUsableSpace() + (exists ? Files.size(file) : 0);
        long needed = size + (options.checksums() ? ChecksumDescriptor.sidecarSize(size) : 0);
        // a file system that counts no blocks at all (ramfs) has no limit to check against
        if (store.getTotalSpace() > 0 && available < needed) {
            throw new IOException("not enough free space on " + store + " for " + layers + (layers == 1 ? " layer" : " layers")
                    + ": need " + needed + " B (" + human(needed) + "), " + available + " B (" + human(available)
                    + ") available");
        }
        return exists;
    }

    /**
     * Creates a database of {@code layers} layers at {@code target}: a file (as
     * {@link #create(Path, int, Options)}), or an NVMe namespace ({@code spdk:}, or a raw block device
     * such as {@code /dev/nvme0n1} or a partition), which then holds it from offset 0 as the original
     * BPF-KV's SPDK mode reads it. A namespace is written through an
     * engine with the target writable, its root block last (after a flush of everything else), and
     * keeps its size; the part after the database is left as it was. A namespace gets no checksum
     * sidecar.
     *
     * @throws FileAlreadyExistsException the file exists, or the namespace's first block is not zero
     *     (it holds data), and {@code force} is off
     * @throws IOException the namespace is smaller than the database, or a write fails (the root is
     *     then zero: the namespace holds no database)
     */
    public static Result create(TargetSpec target, int layers, Options options) throws IOException {
        if (!onNamespace(target)) {
            return create(target.path(), layers, options);
        }
        TreeLayout layout = new TreeLayout(layers);
        long size = layout.fileSizeBytes();
        long start = System.nanoTime();
        String writes;
        try (BlockWriter writer = EngineBlockWriter.open(target, size, options.force(), options.buffersInFlight(),
                options.bufferBytes())) {
            writes = writer.describe();
            writeAll(layout, new BlockGenerator(layout), writer, options, null);
            writer.finish(size);
        }
        return new Result(null, layout, size, true, writes, System.nanoTime() - start, null);
    }

    /**
     * Copies the database file {@code source} byte for byte onto the namespace {@code target}, which
     * then holds it from offset 0 (written as {@link #create(TargetSpec, int, Options)} writes: the
     * root block last). The file's size must be that of a layer count; its nodes are not checked
     * here (a corrupt file copies as it is).
     *
     * @throws IllegalArgumentException {@code target} is not a namespace
     * @throws FileAlreadyExistsException the namespace's first block is not zero and {@code force} is off
     */
    public static Result copy(Path source, TargetSpec target, Options options) throws IOException {
        if (!onNamespace(target)) {
            throw new IllegalArgumentException(target + ": copy writes a database onto a namespace (spdk:... or a raw "
                    + "block device); copy files with cp");
        }
        long size = Files.size(source);
        int denseLayers = TreeLayout.layersForSize(size); // create's sizes copy as they are, nodes unchecked
        TreeLayout layout = denseLayers > 0 ? new TreeLayout(denseLayers) : io.jxrp.bpfkv.ops.PreadTraversal.discover(source, 0);
        long start = System.nanoTime();
        String writes;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             BlockWriter writer = EngineBlockWriter.open(target, size, options.force(), options.buffersInFlight(),
                     options.bufferBytes())) {
            writes = writer.describe();
            int ring = writer.bufferCount();
            CompletableFuture<?>[] inFlight = new CompletableFuture<?>[ring];
            long[] inFlightBytes = new long[ring];
            long bytesDone = 0;
            options.progress().update(0, size);
            try {
                long position = 0;
                for (int chunk = 0; position < size; chunk++) {
                    int slot = chunk % ring;
                    if (inFlight[slot] != null) {
                        await(inFlight[slot]);
                        bytesDone += inFlightBytes[slot];
                        options.progress().update(bytesDone, size);
                    }
                    int length = (int) Math.min(writer.bufferSizeBytes(), size - position);
                    java.nio.ByteBuffer buffer = writer.buffer(slot).asSlice(0, length).asByteBuffer();
                    while (buffer.hasRemaining()) {
                        if (in.read(buffer, position + buffer.position()) < 0) {
                            throw new IOException(source + ": ended at " + (position + buffer.position())
                                    + " B while being copied (" + size + " B expected)");
                        }
                    }
                    int alignment = writer.alignment();
                    int padded = (length + alignment - 1) / alignment * alignment;
                    writer.buffer(slot).asSlice(length, padded - length).fill((byte) 0);
                    inFlight[slot] = writer.write(slot, position, padded);
                    inFlightBytes[slot] = length;
                    position += length;
                }
            } finally {
                for (CompletableFuture<?> write : inFlight) { // never close the writer under a write
                    if (write != null) {
                        write.handle((ignored, error) -> null).join();
                    }
                }
            }
            for (CompletableFuture<?> write : inFlight) {
                if (write != null) {
                    await(write);
                }
            }
            writer.finish(size);
            options.progress().update(size, size);
        }
        return new Result(null, layout, size, true, writes, System.nanoTime() - start, null);
    }

    /**
     * Whether {@code target} is written as a namespace (from offset 0, through an engine, root last):
     * an {@code spdk:} namespace or a raw block device (an NVMe namespace of this kernel, a partition).
     */
    private static boolean onNamespace(TargetSpec target) {
        return target.isSpdk() || RawDevices.isBlockDevice(target.path());
    }

    /** Makes a rename in {@code directory} durable. */
    static void syncDirectory(Path directory) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(directory,
                java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void writeAll(TreeLayout layout, BlockSource source, BlockWriter writer, Options options,
                                 BlockChecksums.Builder checksums)
            throws IOException {
        int ring = writer.bufferCount();
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[ring];
        long[] inFlightBytes = new long[ring];
        long totalBytes = layout.fileSizeBytes();
        options.progress().update(0, totalBytes);
        long bytesDone;
        try {
            bytesDone = generateAndWrite(layout, source, writer, options, inFlight, inFlightBytes, checksums);
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

    private static long generateAndWrite(TreeLayout layout, BlockSource generator, BlockWriter writer, Options options,
                                         CompletableFuture<?>[] inFlight, long[] inFlightBytes,
                                         BlockChecksums.Builder checksums) throws IOException {
        long totalBlocks = layout.totalBlocks();
        long totalBytes = totalBlocks * BLOCK_SIZE;
        int ring = inFlight.length;
        int alignment = Math.max(writer.alignment(), BLOCK_SIZE);
        int blocksPerBuffer = writer.bufferSizeBytes() / BLOCK_SIZE;
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
            if (checksums != null) {
                checksums.add(block, buffer, 0, blocks);
            }
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

    /** Fills buffers with a file's 512 B blocks, in any order of ranges. */
    interface BlockSource {
        void generate(long firstBlock, int blocks, MemorySegment target);
    }

    /**
     * Fills buffers with the file's 512 B blocks by formula: block b &lt; T is node b, block b &gt;= T
     * is value-log block b - T. Stateless apart from scratch, so any range can be generated.
     */
    static final class BlockGenerator implements BlockSource {
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

        @Override
        public void generate(long firstBlock, int blocks, MemorySegment target) {
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
