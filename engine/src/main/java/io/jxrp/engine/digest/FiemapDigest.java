package io.jxrp.engine.digest;

import io.jxrp.nvme.Extent;
import io.jxrp.nvme.Fiemap;
import io.jxrp.nvme.FileLease;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the file's extents with FIEMAP so the engine reads the block device underneath directly,
 * bypassing the file system as XRP does.
 *
 * <p>Staleness: the digest holds a read lease on the file. A writer that opens the file for writing
 * or truncates it is held by the kernel until the lease is released; the lease-break signal bumps
 * {@link #version()} at once (in the shim's signal handler), and only then does the watcher thread
 * release the lease. So a read staged before the change completes with a different version
 * ({@code STALE_MAPPING}), a read staged after it finds the snapshot invalid ({@link #UNAVAILABLE}),
 * and no read returns bytes of the old mapping as current data. When the writer has closed the file
 * the watcher takes the lease again, syncs the file, re-reads its extents and installs a new
 * snapshot with a new version.
 */
public final class FiemapDigest implements MetadataDigest {
    private static final Logger LOG = LoggerFactory.getLogger(FiemapDigest.class);
    private static final long REACQUIRE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** An extent map valid while {@link #version()} equals {@code version}. */
    private record Snapshot(ExtentMap map, long sizeBytes, long version) {
    }

    private final Path file;
    private final Path device;
    private final FileLease lease;
    /** Bumped by the watcher whenever it installs a new snapshot; part of the version. */
    private final AtomicLong generation = new AtomicLong();
    private final Thread watcher;
    private volatile Snapshot snapshot;
    private volatile boolean closed;

    private FiemapDigest(Path file, Path device, FileLease lease) throws IOException {
        this.file = file;
        this.device = device;
        this.lease = lease;
        this.snapshot = readSnapshot();
        this.watcher = Thread.ofPlatform().daemon().name("jxrp-fiemap-watch").unstarted(this::watch);
    }

    /** Takes the lease, reads the extents and starts watching for changes. */
    public static FiemapDigest open(Path file) throws IOException {
        Path device = Fiemap.backingDevice(file);
        FileLease lease;
        try {
            lease = FileLease.acquire(file);
        } catch (IOException e) {
            throw new IOException(file + ": cannot take a read lease (needed to detect mapping changes; the file "
                    + "must not be open for writing, and the process must own it or be root): " + e.getMessage(), e);
        }
        try {
            FiemapDigest d = new FiemapDigest(file, device, lease);
            d.watcher.start();
            return d;
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    private Snapshot readSnapshot() throws IOException {
        long version = version();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(false); // a writer's dirty pages must reach the device before we read it directly
        }
        long size = Files.size(file);
        List<ExtentMap.Mapping> mappings = new ArrayList<>();
        for (Extent e : Fiemap.extents(file)) {
            mappings.add(new ExtentMap.Mapping(e.logicalOffset(), e.physicalOffset(), e.lengthBytes(), e.bypassable()));
        }
        return new Snapshot(new ExtentMap(mappings), size, version);
    }

    private void watch() {
        long seenBreaks = lease.breakCount();
        while (!closed) {
            try {
                lease.awaitBreak(TimeUnit.SECONDS.toNanos(1));
                long breaks = lease.breakCount();
                if (breaks == seenBreaks || closed) {
                    continue;
                }
                seenBreaks = breaks;
                LOG.debug("{}: lease broken (a writer opened the file); mapping invalid until it closes", file);
                lease.release(); // the version already moved: the writer may go on
                while (!closed && !lease.tryReacquire()) {
                    LockSupport.parkNanos(REACQUIRE_PAUSE_NANOS);
                }
                if (closed) {
                    return;
                }
                generation.incrementAndGet();
                snapshot = readSnapshot();
                seenBreaks = lease.breakCount();
                LOG.debug("{}: mapping re-read: {}", file, describe());
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("{}: watching the mapping failed; direct reads stay disabled", file, e);
                    generation.incrementAndGet(); // invalidates the snapshot for good
                    return;
                }
            }
        }
    }

    @Override
    public Path devicePath() {
        return device;
    }

    @Override
    public Path filePath() {
        return file;
    }

    @Override
    public long fileSizeBytes() {
        return snapshot.sizeBytes();
    }

    @Override
    public long version() {
        return lease.breakCount() + generation.get();
    }

    @Override
    public long translate(long logicalOffset, long lengthBytes) {
        Snapshot s = snapshot;
        if (version() != s.version()) {
            return UNAVAILABLE;
        }
        if (logicalOffset < 0 || lengthBytes <= 0 || logicalOffset > s.sizeBytes() - lengthBytes) {
            // the aligned span may run past a size that is not a block multiple: the file path reads it
            return logicalOffset >= 0 && logicalOffset < s.sizeBytes() ? THROUGH_FILE : OUTSIDE_FILE;
        }
        return s.map().translate(logicalOffset, lengthBytes);
    }

    @Override
    public String describe() {
        Snapshot s = snapshot;
        return "fiemap digest over " + file + " on " + device + ": " + s.map() + ", version " + s.version();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            watcher.join(TimeUnit.SECONDS.toMillis(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lease.close();
    }
}
