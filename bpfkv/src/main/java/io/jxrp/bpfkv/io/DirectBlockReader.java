package io.jxrp.bpfkv.io;

import io.jxrp.nvme.DirectFile;
import io.jxrp.nvme.NativeIOException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BlockReader} over pread(2) on an O_DIRECT descriptor ({@link DirectFile}); falls back to a
 * buffered FileChannel where O_DIRECT or the native calls are unavailable, saying why.
 */
final class DirectBlockReader implements BlockReader {
    private static final Logger LOG = LoggerFactory.getLogger(DirectBlockReader.class);
    static final int MAX_PROBED_BLOCK_SIZE = 4096;
    private static final int EINVAL = 22;

    private final DirectFile direct;
    private final int alignment;

    private DirectBlockReader(DirectFile direct, int alignment) {
        this.direct = direct;
        this.alignment = alignment;
    }

    static BlockReader open(Path file, int logicalBlockSizeBytes, boolean requireDirect) throws IOException {
        if (logicalBlockSizeBytes != 0 && (logicalBlockSizeBytes < 512 || Integer.bitCount(logicalBlockSizeBytes) != 1)) {
            throw new IllegalArgumentException("logical block size " + logicalBlockSizeBytes + " is not a power of two >= 512");
        }
        if (!Files.isRegularFile(file) && !RawDevices.isBlockDevice(file)) {
            throw Files.exists(file) ? new IOException(file + ": neither a regular file nor a block device")
                    : new NoSuchFileException(file.toString());
        }
        if (!DirectFile.isAvailable()) {
            String why = "native pread unavailable (" + DirectFile.unavailabilityCause() + ")";
            if (requireDirect) {
                throw new IOException(file + ": " + why);
            }
            LOG.warn("{}: {}; reading through the page cache", file, why);
            return ChannelBlockReader.open(file);
        }
        DirectFile direct;
        try {
            direct = DirectFile.openReadOnly(file);
        } catch (NativeIOException e) {
            if (e.errno() != EINVAL) {
                throw e;
            }
            String message = "O_DIRECT not supported on " + fileSystemType(file) + "; put the database on a disk file system";
            if (requireDirect) {
                throw new IOException(file + ": " + message, e);
            }
            LOG.warn("{}: {} (reading through the page cache; measurements will not mean much)", file, message);
            return ChannelBlockReader.open(file);
        }
        try {
            int alignment = logicalBlockSizeBytes != 0 ? logicalBlockSizeBytes : probeAlignment(direct);
            return new DirectBlockReader(direct, alignment);
        } catch (IOException | RuntimeException e) {
            direct.close();
            throw e;
        }
    }

    /** The smallest aligned O_DIRECT read the device accepts: its logical block size. */
    private static int probeAlignment(DirectFile direct) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(MAX_PROBED_BLOCK_SIZE, MAX_PROBED_BLOCK_SIZE);
            for (int size = 512; size <= MAX_PROBED_BLOCK_SIZE; size *= 2) {
                long n = direct.readRaw(buffer.asSlice(0, size), 0);
                if (n >= 0) {
                    return size;
                }
                if (n != -EINVAL) {
                    direct.read(buffer.asSlice(0, size), 0); // throws, naming the file and errno
                }
            }
            throw new IOException(direct.path() + ": no O_DIRECT read of 512.." + MAX_PROBED_BLOCK_SIZE + " B at offset 0 is accepted");
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
        try {
            return (int) direct.read(destination, offset);
        } catch (IllegalStateException closed) {
            throw new IOException(direct.path() + ": reader is closed", closed);
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
        return direct.path();
    }

    /** A block device (an NVMe namespace, a partition) holds the database from offset 0, as a namespace does. */
    @Override
    public boolean rawDevice() {
        return RawDevices.isBlockDevice(direct.path());
    }

    @Override
    public long sizeBytes() throws IOException {
        return rawDevice() ? RawDevices.sizeBytes(direct.path()) : BlockReader.super.sizeBytes();
    }

    @Override
    public void close() throws IOException {
        direct.close();
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
