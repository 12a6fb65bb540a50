package io.jxrp.bpfkv;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BlockReader} over pread(2) on an O_DIRECT descriptor ({@link NativeIo}); falls back to a
 * buffered FileChannel where O_DIRECT or the native calls are unavailable, saying why.
 */
final class DirectBlockReader implements BlockReader {
    private static final Logger LOG = LoggerFactory.getLogger(DirectBlockReader.class);
    static final int MAX_PROBED_BLOCK_SIZE = 4096;

    private final Path file;
    private final int fd;
    private final int alignment;
    private final ThreadLocal<MemorySegment> callState =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(NativeIo.callStateSize(), 8));
    /** Reads hold the read lock so close() never frees a descriptor that a pread still uses. */
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private boolean closed;

    private DirectBlockReader(Path file, int fd, int alignment) {
        this.file = file;
        this.fd = fd;
        this.alignment = alignment;
    }

    static BlockReader open(Path file, int logicalBlockSizeBytes, boolean requireDirect) throws IOException {
        if (logicalBlockSizeBytes != 0 && (logicalBlockSizeBytes < 512 || Integer.bitCount(logicalBlockSizeBytes) != 1)) {
            throw new IllegalArgumentException("logical block size " + logicalBlockSizeBytes + " is not a power of two >= 512");
        }
        if (!Files.isRegularFile(file)) {
            throw Files.exists(file) ? new IOException(file + ": not a regular file") : new NoSuchFileException(file.toString());
        }
        if (!NativeIo.isAvailable()) {
            String why = "native pread unavailable (" + NativeIo.unavailabilityCause() + ")";
            if (requireDirect) {
                throw new IOException(file + ": " + why);
            }
            LOG.warn("{}: {}; reading through the page cache", file, why);
            return ChannelBlockReader.open(file);
        }
        int fd = NativeIo.openReadOnly(file, true);
        if (fd == -NativeIo.EINVAL) {
            String message = "O_DIRECT not supported on " + fileSystemType(file) + "; put the database on a disk file system";
            if (requireDirect) {
                throw new IOException(file + ": " + message);
            }
            LOG.warn("{}: {} (reading through the page cache; measurements will not mean much)", file, message);
            return ChannelBlockReader.open(file);
        }
        if (fd < 0) {
            throw NativeIo.exception("open", file, fd);
        }
        try {
            int alignment = logicalBlockSizeBytes != 0 ? logicalBlockSizeBytes : probeAlignment(file, fd);
            return new DirectBlockReader(file, fd, alignment);
        } catch (IOException | RuntimeException e) {
            NativeIo.close(fd);
            throw e;
        }
    }

    /** The smallest aligned O_DIRECT read the device accepts: its logical block size. */
    private static int probeAlignment(Path file, int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(MAX_PROBED_BLOCK_SIZE, MAX_PROBED_BLOCK_SIZE);
            MemorySegment state = arena.allocate(NativeIo.callStateSize(), 8);
            long last = 0;
            for (int size = 512; size <= MAX_PROBED_BLOCK_SIZE; size *= 2) {
                last = NativeIo.pread(fd, buffer.asSlice(0, size), 0, state);
                if (last >= 0) {
                    return size;
                }
                if (last != -NativeIo.EINVAL) {
                    break;
                }
            }
            throw NativeIo.exception("probing the O_DIRECT block size of", file, (int) last);
        }
    }

    static String fileSystemType(Path file) {
        try {
            return Files.getFileStore(file).type();
        } catch (IOException e) {
            return "this file system";
        }
    }

    @Override
    public int read(long offset, MemorySegment destination) throws IOException {
        if ((offset | destination.byteSize() | destination.address()) % alignment != 0) {
            throw new IllegalArgumentException("read of " + destination.byteSize() + " B at " + offset
                    + " is not aligned to " + alignment + " B");
        }
        ReentrantReadWriteLock.ReadLock lock = closeLock.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IOException(file + ": reader is closed");
            }
            long n = NativeIo.pread(fd, destination, offset, callState.get());
            if (n < 0) {
                throw NativeIo.exception("pread at offset " + offset + " of", file, (int) n);
            }
            return (int) n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public boolean direct() {
        return true;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        ReentrantReadWriteLock.WriteLock lock = closeLock.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            int rc = NativeIo.close(fd);
            if (rc < 0) {
                throw NativeIo.exception("close", file, rc);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Buffered fallback: a FileChannel's positional reads, no alignment needed. */
    static final class ChannelBlockReader implements BlockReader {
        private final Path file;
        private final FileChannel channel;

        private ChannelBlockReader(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        static ChannelBlockReader open(Path file) throws IOException {
            return new ChannelBlockReader(file, FileChannel.open(file, StandardOpenOption.READ));
        }

        @Override
        public int read(long offset, MemorySegment destination) throws IOException {
            var buffer = destination.asByteBuffer();
            int total = 0;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, offset + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        }

        @Override
        public int alignment() {
            return 1;
        }

        @Override
        public boolean direct() {
            return false;
        }

        @Override
        public Path file() {
            return file;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
