package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.format.WalDescriptor;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetOptions;
import io.jxrp.engine.TargetSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * BPF-KV's write-ahead log: files {@code DB.wal.<first sequence number, 20 digits>} beside the
 * database, each a run of {@link WalDescriptor} records. Records are appended by the committer
 * (one thread) through the engine as asynchronous O_DIRECT writes at block-aligned offsets and made
 * durable by the engine's flush (fdatasync through io_uring); a new file starts at each checkpoint,
 * and the files a checkpoint folded into the tree file are deleted after it.
 */
final class WriteAheadLog {
    static final String SUFFIX = WalDescriptor.FILE_INFIX;

    /** Where the replay of a database's logs ended. */
    record Recovery(long lastSeq, Path lastFile, long endPosition, List<Path> files) {
    }

    /** Receives the operations of each replayed record, in order. */
    interface Replay {
        void apply(byte kind, long key, byte[] value);
    }

    private final Path db;
    private final ResubmissionEngine engine;
    private final int alignment;
    private Path file;
    private Target target;
    private long position;
    private final List<Target> retired = new ArrayList<>();

    private WriteAheadLog(Path db, ResubmissionEngine engine, Path file, Target target, long position) {
        this.db = db;
        this.engine = engine;
        this.file = file;
        this.target = target;
        this.position = position;
        this.alignment = target.ioAlignment();
    }

    /** The log files of {@code db}, oldest first. */
    static List<Path> files(Path db) throws IOException {
        Path dir = db.toAbsolutePath().getParent();
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, db.getFileName() + SUFFIX + "*")) {
            for (Path entry : entries) {
                if (WalDescriptor.firstSeqOf(db, entry) >= 0) {
                    found.add(entry);
                }
            }
        }
        found.sort(null); // zero-padded: name order is sequence order
        return found;
    }

    static Path fileFor(Path db, long firstSeq) {
        return WalDescriptor.logFile(db, firstSeq);
    }

    private static long firstSeqOf(Path log) {
        String name = log.getFileName().toString();
        return Long.parseLong(name.substring(name.length() - 20));
    }

    /**
     * Replays every record of {@code db}'s logs in order while they are whole and their sequence
     * numbers follow one another; the first that is not ends the replay (a group that never became
     * durable, and so was never acknowledged, nor anything after it).
     */
    static Recovery replay(Path db, Replay replay) throws IOException {
        List<Path> logs = files(db);
        long lastSeq = -1;
        Path lastFile = null;
        long end = 0;
        for (Path log : logs) {
            long expected = lastSeq < 0 ? firstSeqOf(log) : lastSeq + 1;
            if (firstSeqOf(log) != expected) {
                break; // a gap: this file starts after a record that never became durable
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(log);
            } catch (NoSuchFileException gone) {
                continue;
            }
            MemorySegment all = MemorySegment.ofArray(bytes);
            long offset = 0;
            boolean broken = false;
            lastFile = log;
            end = 0;
            while (offset < bytes.length) {
                MemorySegment record = all.asSlice(offset);
                int length = WalDescriptor.check(record, bytes.length - offset);
                if (length < 0 || record.get(WalDescriptor.U64, WalDescriptor.SEQ_OFFSET) != expected) {
                    broken = length >= 0 || !allZero(bytes, offset); // zeros: the end of what was written
                    break;
                }
                applyOps(record, length, replay);
                lastSeq = expected++;
                offset += length;
                offset = align(offset, 512);
                // the writer aligned to its target's block (512 or 4096): skip the zero padding
                while (offset < bytes.length && offset % 4096 != 0 && allZero(bytes, offset, 512)) {
                    offset += 512;
                }
                end = offset;
            }
            if (broken) {
                break;
            }
        }
        return new Recovery(lastSeq, lastFile, end, logs);
    }

    private static void applyOps(MemorySegment record, int length, Replay replay) {
        int ops = record.get(WalDescriptor.U32, WalDescriptor.OPS_OFFSET);
        long at = WalDescriptor.HEADER_SIZE;
        for (int i = 0; i < ops && at + WalDescriptor.OP_HEADER <= length; i++) {
            byte kind = record.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
            int valueLength = Byte.toUnsignedInt(record.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 1));
            long key = record.get(WalDescriptor.U64, at + 2);
            byte[] value = record.asSlice(at + WalDescriptor.OP_HEADER, valueLength).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            replay.apply(kind, key, value);
            at += WalDescriptor.OP_HEADER + valueLength;
        }
    }

    private static boolean allZero(byte[] bytes, long from) {
        return allZero(bytes, from, bytes.length - from);
    }

    private static boolean allZero(byte[] bytes, long from, long length) {
        for (long i = from; i < Math.min(bytes.length, from + length); i++) {
            if (bytes[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }

    static long align(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    /**
     * Opens the log for appending after {@code recovery}: the file the replay ended in, cut where it
     * ended, and any later file (records after a gap, never acknowledged) deleted; or a new file
     * when there is none.
     */
    static WriteAheadLog openForAppend(Path db, ResubmissionEngine engine, Recovery recovery, long nextSeq)
            throws IOException {
        boolean past = false;
        for (Path log : recovery.files()) {
            if (past) {
                Files.deleteIfExists(log);
            }
            if (log.equals(recovery.lastFile())) {
                past = true;
            }
        }
        Path file = recovery.lastFile();
        long position = recovery.endPosition();
        if (file == null) {
            file = fileFor(db, nextSeq);
            Files.deleteIfExists(file);
            Files.createFile(file);
            position = 0;
        } else {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (channel.size() > position) {
                    channel.truncate(position);
                    channel.force(true);
                }
            }
        }
        syncDirectory(db);
        Target target = engine.addTarget(TargetSpec.of(file), TargetOptions.defaults().withWritable(true));
        long aligned = align(position, target.ioAlignment());
        return new WriteAheadLog(db, engine, file, target, aligned);
    }

    static void syncDirectory(Path db) throws IOException {
        try (FileChannel dir = FileChannel.open(db.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    int alignment() {
        return alignment;
    }

    long position() {
        return position;
    }

    Path file() {
        return file;
    }

    /** Appends a sealed record padded to {@link #alignment()}; the future completes when written (not yet durable). */
    CompletableFuture<Void> append(MemorySegment record) {
        long at = position;
        position += record.byteSize();
        return engine.write(target, at, record);
    }

    /** Makes every completed append durable. */
    CompletableFuture<Void> flush() {
        return engine.flush(target);
    }

    /**
     * After a failed group: zeroes what the failed and later appends may have left in the file from
     * {@code from} on (so no record written after a failure can ever be replayed), makes it durable
     * and appends from there again.
     */
    void rewind(long from) throws IOException {
        long size = Files.size(file);
        if (size > from) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.allocate((int) Math.min(size - from, 64 << 20)), from);
                channel.truncate(from);
                channel.force(true);
            }
        }
        position = from;
    }

    /** Starts a new log file whose first record will be {@code firstSeq}; the old target is kept until {@link #dropRetired}. */
    void rotate(long firstSeq) throws IOException {
        Path next = fileFor(db, firstSeq);
        Files.deleteIfExists(next);
        Files.createFile(next);
        syncDirectory(db);
        Target nextTarget = engine.addTarget(TargetSpec.of(next), TargetOptions.defaults().withWritable(true));
        retired.add(target);
        target = nextTarget;
        file = next;
        position = 0;
    }

    /** Detaches the targets of files no longer appended to (their writes have all completed). */
    void dropRetired() {
        for (Target t : retired) {
            t.close();
        }
        retired.clear();
    }

    /** Deletes the log files older than the one starting at {@code firstSeq}. */
    void deleteBefore(long firstSeq) throws IOException {
        for (Path log : files(db)) {
            if (firstSeqOf(log) < firstSeq) {
                Files.deleteIfExists(log);
            }
        }
        syncDirectory(db);
    }

    void close() {
        dropRetired();
        target.close();
    }

    /** A zeroed segment of {@code bytes} rounded up to the alignment, aligned for O_DIRECT. */
    MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(align(bytes, alignment), Math.max(alignment, 4096));
    }
}
