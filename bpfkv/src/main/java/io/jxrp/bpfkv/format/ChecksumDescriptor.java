package io.jxrp.bpfkv.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Layout of a database's checksum sidecar, {@code <database>.crc32c}: a CRC32C of every 512 B block
 * of the database file, in a file of its own that the original BPF-KV never opens (its format has no
 * checksums and no header, so they cannot live in the database itself). Little-endian.
 *
 * <pre>
 * Header page, 4096 B
 *   0         8         12        16                  24        28        32            4092   4096
 *   +---------+---------+---------+-------------------+---------+---------+-- zeros ---+-------+
 *   | magic   | version | block   | covered           | per     | (zero)  |            | crc   |
 *   |JXRPCRC1 | 1       | 512     | database bytes    | page    |         |            | hdr   |
 *   +---------+---------+---------+-------------------+---------+---------+------------+-------+
 *   covered  : the database's size when the table was made: a sidecar whose covered size differs
 *              from the file's belongs to another version of the file and is refused
 *   per page : 1023, the entries of one table page
 *   crc hdr  : CRC32C of bytes 0..4092
 *
 * Table page p (4096 B) at 4096 * (1 + p): the blocks 1023p .. 1023p + 1022
 *   0                                                               4092   4096
 *   +----------+----------+-----------------------------+----------+-------+
 *   | crc[0]   | crc[1]   |  ...                        | crc[1022]| crc   |
 *   +----------+----------+-----------------------------+----------+-------+
 *   crc[i]   : CRC32C of database block 1023p + i (bytes 512 * block .. + 512); 0 past the last block
 *   crc      : CRC32C of the page's first 4092 bytes: a torn or damaged page of the sidecar is
 *              reported as such, never taken for a damaged database block
 * </pre>
 *
 * A page of its own per 1023 blocks lets an update of some blocks rewrite only their pages (and each
 * page carries its own check). Everything that reads or writes the sidecar goes through this class.
 */
public final class ChecksumDescriptor {
    /** Appended to the database's file name. */
    public static final String SUFFIX = ".crc32c";
    public static final int PAGE_SIZE = 4096;
    public static final int BLOCK_SIZE = NodeDescriptor.BLOCK_SIZE;
    public static final int ENTRIES_PER_PAGE = (PAGE_SIZE - 4) / 4; // 1023
    public static final int PAGE_CRC_OFFSET = PAGE_SIZE - 4;

    public static final byte[] MAGIC = "JXRPCRC1".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int BLOCK_SIZE_OFFSET = 12;
    public static final int COVERED_OFFSET = 16;
    public static final int PER_PAGE_OFFSET = 24;

    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong U64 = NodeDescriptor.U64;

    private ChecksumDescriptor() {
    }

    /** The sidecar of {@code database}: the same path with {@link #SUFFIX} appended. */
    public static Path sidecarOf(Path database) {
        return database.resolveSibling(database.getFileName() + SUFFIX);
    }

    /** 512 B blocks of a database of {@code sizeBytes} (a partial last block counts). */
    public static long blocksOf(long sizeBytes) {
        return (sizeBytes + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** Table pages for {@code blocks} blocks. */
    public static long pagesOf(long blocks) {
        return (blocks + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE;
    }

    /** Size of the sidecar of a database of {@code sizeBytes}: the header and the table pages. */
    public static long sidecarSize(long databaseSizeBytes) {
        return PAGE_SIZE * (1 + pagesOf(blocksOf(databaseSizeBytes)));
    }

    /** Byte offset in the sidecar of block {@code block}'s entry. */
    public static long entryOffset(long block) {
        return PAGE_SIZE * (1 + block / ENTRIES_PER_PAGE) + 4L * (block % ENTRIES_PER_PAGE);
    }

    /** Writes the header page for a database of {@code coveredBytes} into {@code page} (4096 B, zeroed by it). */
    public static void writeHeader(MemorySegment page, long coveredBytes) {
        page.asSlice(0, PAGE_SIZE).fill((byte) 0);
        MemorySegment.copy(MemorySegment.ofArray(MAGIC), 0, page, MAGIC_OFFSET, MAGIC.length);
        page.set(U32, VERSION_OFFSET, VERSION);
        page.set(U32, BLOCK_SIZE_OFFSET, BLOCK_SIZE);
        page.set(U64, COVERED_OFFSET, coveredBytes);
        page.set(U32, PER_PAGE_OFFSET, ENTRIES_PER_PAGE);
        sealPage(page);
    }

    /** Sets a page's own CRC (the last 4 bytes) from its first 4092 bytes. */
    public static void sealPage(MemorySegment page) {
        page.set(U32, PAGE_CRC_OFFSET, crc32c(page, 0, PAGE_CRC_OFFSET));
    }

    /** Whether a page's own CRC matches its contents. */
    public static boolean pageIntact(MemorySegment page) {
        return page.get(U32, PAGE_CRC_OFFSET) == crc32c(page, 0, PAGE_CRC_OFFSET);
    }

    /**
     * Problem with a header page, or null: magic, version, block size, entries per page and its CRC.
     * The covered size is the caller's to compare with the database.
     */
    public static String checkHeader(MemorySegment page) {
        if (page.byteSize() < PAGE_SIZE) {
            return "shorter than its 4096-byte header";
        }
        if (MemorySegment.ofArray(MAGIC).mismatch(page.asSlice(MAGIC_OFFSET, MAGIC.length)) != -1) {
            return "not a jxrp checksum sidecar (no JXRPCRC1 magic)";
        }
        if (!pageIntact(page)) {
            return "header damaged (its CRC32C does not match)";
        }
        int version = page.get(U32, VERSION_OFFSET);
        if (version != VERSION) {
            return "version " + version + " is not " + VERSION;
        }
        int blockSize = page.get(U32, BLOCK_SIZE_OFFSET);
        if (blockSize != BLOCK_SIZE) {
            return "block size " + blockSize + " is not " + BLOCK_SIZE;
        }
        int perPage = page.get(U32, PER_PAGE_OFFSET);
        if (perPage != ENTRIES_PER_PAGE) {
            return perPage + " entries per page, not " + ENTRIES_PER_PAGE;
        }
        return null;
    }

    public static long covered(MemorySegment header) {
        return header.get(U64, COVERED_OFFSET);
    }

    /** CRC32C of {@code length} bytes of {@code segment} from {@code offset} (any segment; copies through a per-thread block). */
    public static int crc32c(MemorySegment segment, long offset, int length) {
        Crc c = CRC.get();
        c.crc.reset();
        int done = 0;
        while (done < length) {
            int n = Math.min(length - done, c.bytes.length);
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + done, c.bytes, 0, n);
            c.crc.update(c.bytes, 0, n);
            done += n;
        }
        return (int) c.crc.getValue();
    }

    /**
     * CRC32C of one 512 B block of {@code segment} at {@code offset}: the value a table entry holds. A
     * native segment (the engine's I/O slab) is read in place through a ByteBuffer view kept per
     * thread and segment, so a hop neither copies nor allocates; others go through a heap copy.
     */
    public static int blockCrc(MemorySegment segment, long offset) {
        if (!segment.isNative() || segment.byteSize() > Integer.MAX_VALUE) {
            return crc32c(segment, offset, BLOCK_SIZE);
        }
        Crc c = CRC.get();
        java.nio.ByteBuffer view = c.view(segment);
        view.limit((int) offset + BLOCK_SIZE).position((int) offset);
        c.crc.reset();
        c.crc.update(view);
        return (int) c.crc.getValue();
    }

    /**
     * Per thread: a CRC32C (the JDK's intrinsic on heap arrays and on direct buffers alike), a heap
     * block for segments that are not native, and ByteBuffer views of the native segments seen last
     * (an engine reactor reads into the same few slab buffers over and over), each kept with the
     * segment's scope, address and size so that a view never outlives what it shows.
     */
    private static final class Crc {
        private static final int VIEWS = 256;
        final CRC32C crc = new CRC32C();
        final byte[] bytes = new byte[PAGE_SIZE];
        private final Object[] scopes = new Object[VIEWS];
        private final long[] addresses = new long[VIEWS];
        private final long[] sizes = new long[VIEWS];
        private final java.nio.ByteBuffer[] views = new java.nio.ByteBuffer[VIEWS];

        java.nio.ByteBuffer view(MemorySegment segment) {
            long address = segment.address();
            int i = (int) ((address >>> 9) ^ (address >>> 17)) & (VIEWS - 1);
            if (views[i] == null || addresses[i] != address || sizes[i] != segment.byteSize() || scopes[i] != segment.scope()) {
                views[i] = segment.asByteBuffer();
                addresses[i] = address;
                sizes[i] = segment.byteSize();
                scopes[i] = segment.scope();
            }
            return views[i];
        }
    }

    private static final ThreadLocal<Crc> CRC = ThreadLocal.withInitial(Crc::new);
}
