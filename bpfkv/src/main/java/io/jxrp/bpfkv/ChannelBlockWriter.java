package io.jxrp.bpfkv;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    private ChannelBlockWriter(Path file, FileChannel channel, boolean direct, int alignment) {
        this.file = file;
        this.channel = channel;
        this.direct = direct;
        this.alignment = alignment;
        this.writerThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bpfkv-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The default {@link BlockWriter.Factory}. */
    public static BlockWriter open(Path file, boolean requireDirect) throws IOException {
        OpenOption[] buffered = {StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING};
        Path parent = file.toAbsolutePath().getParent();
        int blockSize = (int) Math.max(MIN_ALIGNMENT, Files.getFileStore(parent).getBlockSize());
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, directOption());
            return new ChannelBlockWriter(file, channel, true, blockSize);
        } catch (IOException | UnsupportedOperationException e) {
            String message = "O_DIRECT not supported on " + DirectBlockReader.fileSystemType(parent)
                    + "; put the database on a disk file system";
            if (requireDirect) {
                throw new IOException(file + ": " + message + " (" + e.getMessage() + ")", e);
            }
            LOG.warn("{}: {}; writing through the page cache instead ({})", file, message, e.toString());
            return new ChannelBlockWriter(file, FileChannel.open(file, buffered), false, MIN_ALIGNMENT);
        }
    }

    /**
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, looked up by name: javac warns on the
     * JDK-specific class at compile time (a warning -Werror turns into an error and no annotation
     * suppresses), and a JDK without it simply gets the buffered fallback.
     */
    private static OpenOption directOption() {
        try {
            Class<?> options = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            for (Object constant : options.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals("DIRECT")) {
                    return (OpenOption) constant;
                }
            }
        } catch (ClassNotFoundException e) {
            throw new UnsupportedOperationException("this JDK has no com.sun.nio.file.ExtendedOpenOption", e);
        }
        throw new UnsupportedOperationException("this JDK has no ExtendedOpenOption.DIRECT");
    }

    @Override
    public CompletableFuture<Void> write(long offset, MemorySegment buffer) {
        if ((offset | buffer.byteSize() | buffer.address()) % alignment != 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("write of " + buffer.byteSize()
                    + " B at " + offset + " is not aligned to " + alignment + " B"));
        }
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
        channel.close();
    }
}
