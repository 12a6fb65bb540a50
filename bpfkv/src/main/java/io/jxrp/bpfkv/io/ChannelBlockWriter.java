package io.jxrp.bpfkv.io;

import io.jxrp.engine.backend.DirectIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BlockWriter} over a FileChannel opened with O_DIRECT, writes issued in order on one writer
 * thread so generation overlaps I/O. Where the file system lacks O_DIRECT it falls back to buffered
 * writes with a warning, or fails when direct I/O is required.
 */
public final class ChannelBlockWriter implements BlockWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelBlockWriter.class);
    /** FileChannel's O_DIRECT needs the file system's block size; buffers are at least page-aligned. */
    static final int MIN_ALIGNMENT = 4096;

    private final Path file;
    private final FileChannel channel;
    private final boolean direct;
    private final int alignment;
    private final ExecutorService writerThread;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] buffers;

    private ChannelBlockWriter(Path file, FileChannel channel, boolean direct, int alignment, int bufferCount,
                               int bufferSizeBytes) {
        if (bufferSizeBytes % alignment != 0) {
            throw new IllegalArgumentException("buffer size " + bufferSizeBytes + " is not a multiple of " + alignment);
        }
        this.file = file;
        this.channel = channel;
        this.direct = direct;
        this.alignment = alignment;
        this.buffers = new MemorySegment[bufferCount];
        for (int i = 0; i < bufferCount; i++) {
            buffers[i] = arena.allocate(bufferSizeBytes, alignment);
        }
        this.writerThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bpfkv-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A {@link BlockWriter.Factory}. */
    public static BlockWriter open(Path file, boolean requireDirect, int bufferCount, int bufferSizeBytes) throws IOException {
        OpenOption[] buffered = {StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING};
        Path parent = file.toAbsolutePath().getParent();
        int blockSize = (int) Math.max(MIN_ALIGNMENT, Files.getFileStore(parent).getBlockSize());
        FileChannel channel;
        boolean direct;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, DirectIo.require());
            direct = true;
        } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException
                 | java.nio.file.FileSystemLoopException e) {
            throw e; // not about O_DIRECT: the buffered open would fail the same way
        } catch (IOException | UnsupportedOperationException e) {
            String message = "O_DIRECT not supported on " + DirectBlockReader.fileSystemType(parent)
                    + "; put the database on a disk file system";
            if (requireDirect) {
                throw new IOException(file + ": " + message + " (" + e.getMessage() + ")", e);
            }
            LOG.warn("{}: {}; writing through the page cache instead ({})", file, message, e.toString());
            channel = FileChannel.open(file, buffered);
            direct = false;
        }
        return new ChannelBlockWriter(file, channel, direct, blockSize, bufferCount, bufferSizeBytes);
    }

    @Override
    public int bufferCount() {
        return buffers.length;
    }

    @Override
    public int bufferSizeBytes() {
        return (int) buffers[0].byteSize();
    }

    @Override
    public MemorySegment buffer(int index) {
        return buffers[index];
    }

    @Override
    public CompletableFuture<Void> write(int index, long offset, int lengthBytes) {
        if ((offset | lengthBytes) % alignment != 0 || lengthBytes <= 0 || lengthBytes > buffers[index].byteSize()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("write of " + lengthBytes
                    + " B at " + offset + " is not aligned to " + alignment + " B or does not fit the buffer"));
        }
        MemorySegment buffer = buffers[index].asSlice(0, lengthBytes);
        return CompletableFuture.runAsync(() -> {
            ByteBuffer bytes = buffer.asByteBuffer();
            long position = offset;
            try {
                while (bytes.hasRemaining()) {
                    position += channel.write(bytes, position);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": write at offset " + position + " failed: " + e.getMessage(), e);
            }
        }, writerThread);
    }

    @Override
    public String describe() {
        return direct ? "FileChannel O_DIRECT" : "FileChannel buffered (no O_DIRECT)";
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public boolean direct() {
        return direct;
    }

    @Override
    public void finish(long fileSizeBytes) throws IOException {
        drain();
        // the last buffer was padded to the alignment: cut the file to its exact size, then one fsync
        channel.truncate(fileSizeBytes);
        channel.force(true);
    }

    private void drain() throws IOException {
        writerThread.shutdown();
        try {
            if (!writerThread.awaitTermination(1, TimeUnit.HOURS)) {
                throw new IOException(file + ": writes did not finish within an hour");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted while waiting for writes", e);
        }
    }

    @Override
    public void close() throws IOException {
        writerThread.shutdownNow();
        try {
            // the buffers are freed below: no write may still be copying from one
            if (!writerThread.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IOException(file + ": a write did not stop within a minute; leaking its buffers");
            }
            arena.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted while closing", e);
        } finally {
            channel.close();
        }
    }
}
