package io.jxrp.bpfkv.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A record of BPF-KV's write-ahead log: one group commit, the puts and deletes that became durable
 * together. Records follow each other in a log file, each starting at an offset aligned to the
 * target's I/O block (so a record is written by whole O_DIRECT blocks, never rewritten), with
 * sequence numbers increasing by one. A log is read from its start while records are whole (magic,
 * length, CRC32C) and their sequence numbers follow; the first that is not ends it: a torn tail is a
 * group that never became durable, so it was never acknowledged.
 *
 * <pre>
 * Record header, 32 B, little-endian
 *   0      4      8              16     20      24     28     32
 *   +------+------+--------------+------+-------+------+------+
 *   | magic| vers | seq          | ops  | length| crc  | 0    |  ops...
 *   +------+------+--------------+------+-------+------+------+
 *   magic  "JXWL"; vers 1
 *   seq    the record's sequence number (the first record of a log file names the file)
 *   ops    operations that follow; length: header + ops in bytes (the padding after it is zero)
 *   crc    CRC32C of bytes [0, length) with this field zero
 *
 * Operation, 10 + value length bytes
 *   0      1       2                 10
 *   +------+-------+-----------------+-------------+
 *   | kind | vlen  | key (u64)       | value[vlen] |   kind 1 put, 2 delete (vlen 0)
 *   +------+-------+-----------------+-------------+
 * </pre>
 */
public final class WalDescriptor {
    public static final int MAGIC = 0x4c57584a; // "JXWL" little-endian
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 32;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int SEQ_OFFSET = 8;
    public static final int OPS_OFFSET = 16;
    public static final int LENGTH_OFFSET = 20;
    public static final int CRC_OFFSET = 24;

    public static final byte OP_PUT = 1;
    public static final byte OP_DELETE = 2;
    public static final int OP_HEADER = 10;
    /** Bytes one operation can take: a put with a 64-byte value. */
    public static final int MAX_OP_SIZE = OP_HEADER + NodeDescriptor.VALUE_SIZE;

    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong U64 = NodeDescriptor.U64;

    private WalDescriptor() {
    }

    /** Log files are named {@code DB.wal.<first sequence number, 20 digits>} beside the database. */
    public static final String FILE_INFIX = ".wal.";

    /** The log file of {@code db} whose first record is {@code firstSeq}. */
    public static java.nio.file.Path logFile(java.nio.file.Path db, long firstSeq) {
        return db.resolveSibling(db.getFileName() + FILE_INFIX + String.format("%020d", firstSeq));
    }

    /** The first sequence number {@code candidate} names as a log file of {@code db}, or -1 when it is none. */
    public static long firstSeqOf(java.nio.file.Path db, java.nio.file.Path candidate) {
        String prefix = db.getFileName() + FILE_INFIX;
        String name = candidate.getFileName().toString();
        if (!name.startsWith(prefix) || name.length() != prefix.length() + 20) {
            return -1;
        }
        String digits = name.substring(prefix.length());
        return digits.chars().allMatch(Character::isDigit) ? Long.parseLong(digits) : -1;
    }

    /**
     * Deletes the log files of {@code db}: a database that {@code create} or {@code load} replaces
     * must not have another database's writes replayed onto it.
     */
    public static void deleteLogs(java.nio.file.Path db) throws java.io.IOException {
        java.nio.file.Path dir = db.toAbsolutePath().getParent();
        try (java.nio.file.DirectoryStream<java.nio.file.Path> entries =
                     java.nio.file.Files.newDirectoryStream(dir, db.getFileName() + FILE_INFIX + "*")) {
            for (java.nio.file.Path entry : entries) {
                if (firstSeqOf(db, entry) >= 0) {
                    java.nio.file.Files.delete(entry);
                }
            }
        }
    }

    /** Bytes of a record holding operations of {@code opBytes} in all. */
    public static int recordLength(int opBytes) {
        return HEADER_SIZE + opBytes;
    }

    /** Writes the header of a record of {@code length} bytes (ops already in place) and its CRC. */
    public static void seal(MemorySegment record, long seq, int ops, int length) {
        record.set(U32, MAGIC_OFFSET, MAGIC);
        record.set(U32, VERSION_OFFSET, VERSION);
        record.set(U64, SEQ_OFFSET, seq);
        record.set(U32, OPS_OFFSET, ops);
        record.set(U32, LENGTH_OFFSET, length);
        record.set(U32, CRC_OFFSET, 0);
        record.set(U32, 28, 0);
        record.set(U32, CRC_OFFSET, crc(record, length));
    }

    /**
     * The length of the whole record at the start of {@code bytes} (at most {@code available}), or -1
     * when there is none: wrong magic or version, a length past what is there, a CRC that does not
     * match.
     */
    public static int check(MemorySegment bytes, long available) {
        if (available < HEADER_SIZE || bytes.get(U32, MAGIC_OFFSET) != MAGIC || bytes.get(U32, VERSION_OFFSET) != VERSION) {
            return -1;
        }
        int length = bytes.get(U32, LENGTH_OFFSET);
        if (length < HEADER_SIZE || length > available) {
            return -1;
        }
        int stored = bytes.get(U32, CRC_OFFSET);
        bytes.set(U32, CRC_OFFSET, 0);
        int actual = crc(bytes, length);
        bytes.set(U32, CRC_OFFSET, stored);
        return actual == stored ? length : -1;
    }

    private static int crc(MemorySegment record, int length) {
        CRC32C crc = new CRC32C();
        crc.update(record.asSlice(0, length).asByteBuffer());
        return (int) crc.getValue();
    }
}
