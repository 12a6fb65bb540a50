package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.format.ChecksumDescriptor;
import static io.jxrp.bpfkv.format.ChecksumDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.ChecksumDescriptor.ENTRIES_PER_PAGE;
import static io.jxrp.bpfkv.format.ChecksumDescriptor.PAGE_SIZE;
import static io.jxrp.bpfkv.format.ChecksumDescriptor.U32;

import io.jxrp.engine.BlockVerifier;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CRC32C of every 512 B block of a database, from its sidecar ({@link ChecksumDescriptor}), held in
 * memory (4 bytes per block: 0.8 % of the database) and checked against blocks as they are read. It is
 * the engine's {@link BlockVerifier} for the database's target (every block a function is about to
 * see, on every backend, for Java and eBPF functions alike) and the pread path's check. Thread-safe
 * once built: the table is only read.
 */
public final class BlockChecksums implements BlockVerifier {
    /** Called as blocks are read, for a progress bar. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long bytesDone, long bytesTotal);
    }

    private final Path sidecar;
    private final long coveredBytes;
    private final long blocks;
    /** u32 per block; GC-managed, so a reactor can never read it after it was freed. */
    private final MemorySegment table;
    /** Table pages whose own CRC did not match when read (their blocks cannot be verified). */
    private final List<Long> damagedPages;

    private BlockChecksums(Path sidecar, long coveredBytes, MemorySegment table, List<Long> damagedPages) {
        this.sidecar = sidecar;
        this.coveredBytes = coveredBytes;
        this.blocks = ChecksumDescriptor.blocksOf(coveredBytes);
        this.table = table;
        this.damagedPages = List.copyOf(damagedPages);
    }

    /** A table being filled block by block (by {@link DbBuilder} or {@link #compute}). */
    public static final class Builder {
        private final long coveredBytes;
        private final MemorySegment table;

        public Builder(long coveredBytes) {
            if (coveredBytes <= 0 || coveredBytes % BLOCK_SIZE != 0) {
                throw new IllegalArgumentException("a checksummed database is whole 512 B blocks, not " + coveredBytes + " B");
            }
            this.coveredBytes = coveredBytes;
            this.table = Arena.ofAuto().allocate(ChecksumDescriptor.blocksOf(coveredBytes) * 4, 8);
        }

        /** Records the blocks of {@code data} ({@code blockCount} of them from {@code offset}), the first being block {@code firstBlock}. */
        public void add(long firstBlock, MemorySegment data, long offset, int blockCount) {
            for (int i = 0; i < blockCount; i++) {
                table.set(U32, (firstBlock + i) * 4, ChecksumDescriptor.blockCrc(data, offset + (long) i * BLOCK_SIZE));
            }
        }

        public BlockChecksums build(Path database) {
            return new BlockChecksums(ChecksumDescriptor.sidecarOf(database), coveredBytes, table, List.of());
        }
    }

    /**
     * The sidecar of {@code database}, checked against the database's size, or empty when it has
     * none.
     *
     * @throws BpfKvFormatException the sidecar is not one, is damaged (naming the page), or belongs
     *     to another version of the file (its covered size differs)
     */
    public static Optional<BlockChecksums> find(Path database, long databaseSizeBytes) throws IOException {
        Path sidecar = ChecksumDescriptor.sidecarOf(database);
        if (!Files.exists(sidecar)) {
            return Optional.empty();
        }
        BlockChecksums sums = read(database, databaseSizeBytes);
        if (!sums.damagedPages.isEmpty()) {
            long page = sums.damagedPages.getFirst();
            throw new BpfKvFormatException(sidecar, PAGE_SIZE * (1 + page), "checksum page " + page + " (blocks "
                    + page * ENTRIES_PER_PAGE + ".." + (Math.min(sums.blocks, (page + 1) * ENTRIES_PER_PAGE) - 1)
                    + ") is damaged" + (sums.damagedPages.size() > 1 ? ", and " + (sums.damagedPages.size() - 1)
                    + " more" : "") + ": rebuild the sidecar (bpfkv checksum --force) once bpfkv scrub shows the database intact");
        }
        return Optional.of(sums);
    }

    /**
     * Reads the sidecar of {@code database}, keeping the pages whose own CRC fails as
     * {@link #damagedPages()} instead of refusing them (what {@code bpfkv scrub} reports).
     *
     * @throws NoSuchFileException  there is no sidecar
     * @throws BpfKvFormatException its header is bad, its size is wrong, or it covers another size
     */
    public static BlockChecksums read(Path database, long databaseSizeBytes) throws IOException {
        Path sidecar = ChecksumDescriptor.sidecarOf(database);
        try (FileChannel channel = FileChannel.open(sidecar, StandardOpenOption.READ)) {
            MemorySegment page = Arena.ofAuto().allocate(PAGE_SIZE, 8);
            ByteBuffer pageBuffer = page.asByteBuffer();
            readFully(channel, pageBuffer, 0, sidecar);
            String problem = ChecksumDescriptor.checkHeader(page);
            if (problem != null) {
                throw new BpfKvFormatException(sidecar, 0, problem);
            }
            long covered = ChecksumDescriptor.covered(page);
            if (covered != databaseSizeBytes) {
                throw new BpfKvFormatException(sidecar, ChecksumDescriptor.COVERED_OFFSET, "covers " + covered
                        + " B of the database, which has " + databaseSizeBytes + " B: it belongs to another version of "
                        + database.getFileName() + " (rebuild it with bpfkv checksum --force)");
            }
            if (covered <= 0 || covered % BLOCK_SIZE != 0) {
                throw new BpfKvFormatException(sidecar, ChecksumDescriptor.COVERED_OFFSET, "covered size " + covered
                        + " is not a positive multiple of 512");
            }
            long expectedSize = ChecksumDescriptor.sidecarSize(covered);
            long size = channel.size();
            if (size != expectedSize) {
                throw new BpfKvFormatException(sidecar, Math.min(size, expectedSize), "is " + size + " B where "
                        + expectedSize + " B hold the checksums of " + covered + " B (truncated or extended)");
            }
            long blocks = ChecksumDescriptor.blocksOf(covered);
            MemorySegment table = Arena.ofAuto().allocate(blocks * 4, 8);
            List<Long> damaged = new ArrayList<>();
            long pages = ChecksumDescriptor.pagesOf(blocks);
            for (long p = 0; p < pages; p++) {
                readFully(channel, pageBuffer, PAGE_SIZE * (1 + p), sidecar);
                if (!ChecksumDescriptor.pageIntact(page)) {
                    damaged.add(p);
                    continue;
                }
                long first = p * ENTRIES_PER_PAGE;
                long entries = Math.min(ENTRIES_PER_PAGE, blocks - first);
                MemorySegment.copy(page, 0, table, first * 4, entries * 4);
            }
            return new BlockChecksums(sidecar, covered, table, damaged);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(sidecar.toString(), null, "no checksum sidecar (bpfkv checksum DB makes one)");
        }
    }

    /**
     * Reads every block of {@code database} (O_DIRECT where available) and computes its table.
     *
     * @throws IOException naming the file and errno on a read error
     */
    public static BlockChecksums compute(Path database, Progress progress) throws IOException {
        long size = Files.size(database);
        Builder builder = new Builder(size);
        try (BlockReader reader = BlockReader.open(database, 0, false)) {
            readBlocks(reader, size, progress, (firstBlock, data, count) -> builder.add(firstBlock, data, 0, count));
        }
        return builder.build(database);
    }

    /** What {@link #readBlocks} hands over: {@code count} blocks in {@code data}, the first being {@code firstBlock}. */
    @FunctionalInterface
    public interface BlockSink {
        void accept(long firstBlock, MemorySegment data, int count) throws IOException;
    }

    /** Reads a file's blocks front to back in 1 MiB reads through {@code reader}. */
    public static void readBlocks(BlockReader reader, long size, Progress progress, BlockSink sink) throws IOException {
        int chunk = 1 << 20;
        int alignment = Math.max(reader.alignment(), BLOCK_SIZE);
        MemorySegment buffer = Arena.ofAuto().allocate(chunk, Math.max(alignment, 4096));
        progress.update(0, size);
        for (long position = 0; position < size; position += chunk) {
            long want = Math.min(chunk, size - position);
            long span = (want + alignment - 1) / alignment * alignment;
            int n = reader.read(position, buffer.asSlice(0, span));
            if (n < want) {
                throw new IOException(reader.file() + ": short read at offset " + (position + n)
                        + ": the file shrank while it was read");
            }
            sink.accept(position / BLOCK_SIZE, buffer, (int) (want / BLOCK_SIZE));
            progress.update(position + want, size);
        }
    }

    /**
     * Writes the table as {@code database}'s sidecar, atomically: a temporary file beside it, synced,
     * renamed over the old one, and the directory synced, so a crash leaves the old sidecar or the
     * new one, never a torn one.
     */
    public void write() throws IOException {
        Path temporary = sidecar.resolveSibling(sidecar.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            MemorySegment page = Arena.ofAuto().allocate(PAGE_SIZE, 8);
            ByteBuffer pageBuffer = page.asByteBuffer();
            ChecksumDescriptor.writeHeader(page, coveredBytes);
            writeFully(channel, pageBuffer, 0);
            long pages = ChecksumDescriptor.pagesOf(blocks);
            for (long p = 0; p < pages; p++) {
                page.fill((byte) 0);
                long first = p * ENTRIES_PER_PAGE;
                long entries = Math.min(ENTRIES_PER_PAGE, blocks - first);
                MemorySegment.copy(table, first * 4, page, 0, entries * 4);
                ChecksumDescriptor.sealPage(page);
                writeFully(channel, pageBuffer, PAGE_SIZE * (1 + p));
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        try {
            Files.move(temporary, sidecar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temporary);
            throw new IOException(sidecar + ": the file system cannot rename atomically", e);
        }
        syncDirectory(sidecar.toAbsolutePath().getParent());
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new BpfKvFormatException(file, position + buffer.position(), "ends inside a 4096-byte page (truncated)");
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
    }

    /** Where the checksums live. */
    public Path sidecar() {
        return sidecar;
    }

    /** Database bytes the table covers. */
    public long coveredBytes() {
        return coveredBytes;
    }

    public long blocks() {
        return blocks;
    }

    /** The CRC32C the table holds for block {@code block}. */
    public int expected(long block) {
        return table.get(U32, block * 4);
    }

    /** Table pages whose own CRC failed when the sidecar was {@link #read} (empty for {@link #find}). */
    public List<Long> damagedPages() {
        return damagedPages;
    }

    /** Whether block {@code block}'s entry is in a damaged page (so the block cannot be verified). */
    public boolean unverifiable(long block) {
        return !damagedPages.isEmpty() && damagedPages.contains(block / ENTRIES_PER_PAGE);
    }

    @Override
    public int blockSizeBytes() {
        return BLOCK_SIZE;
    }

    /**
     * Checks whole 512 B blocks: {@code lengthBytes} of {@code buffer} from {@code bufferOffset}, the
     * first at database offset {@code logicalOffset}. A block past the covered size fails too.
     *
     * @return -1 when every block matches, else the database offset of the first that does not
     */
    @Override
    public long verify(long logicalOffset, MemorySegment buffer, long bufferOffset, long lengthBytes) {
        for (long done = 0; done < lengthBytes; done += BLOCK_SIZE) {
            long block = (logicalOffset + done) / BLOCK_SIZE;
            if (block >= blocks || table.get(U32, block * 4) != ChecksumDescriptor.blockCrc(buffer, bufferOffset + done)) {
                return logicalOffset + done;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "BlockChecksums[" + sidecar + ", " + blocks + " blocks]";
    }
}
