package io.jxrp.bpfkv.store;

import io.jxrp.engine.ForwardingIoQueue;
import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.DeviceInfo;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.QueueSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend under the engine that stops the world at every write and every flush it is given
 * and keeps a crash image: a copy of the database's files as a crash right there would leave them
 * (what completed before is in them, a write in progress may be half in). It can also fail writes
 * with an errno (a full disk) from a given write on.
 */
final class CrashImageBackend implements IoBackend {
    /** One crash image: the files, and what the workload had acknowledged when it was taken. */
    record Image(Path dir, String boundary, int acknowledgedSteps) {
    }

    private final IoBackend delegate;
    private final Path db;
    private final Path images;
    private final List<Image> taken = new ArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    volatile boolean imaging;
    volatile int acknowledgedSteps;
    volatile int failWritesWith;

    CrashImageBackend(IoBackend delegate, Path db, Path images) {
        this.delegate = delegate;
        this.db = db;
        this.images = images;
    }

    synchronized List<Image> images() {
        return List.copyOf(taken);
    }

    /** Copies the database, its logs and its lock file as they are now. */
    synchronized void image(String boundary) {
        if (!imaging) {
            return;
        }
        try {
            Path dir = images.resolve(String.format("%05d", counter.incrementAndGet()));
            Files.createDirectories(dir);
            // the logs first, the tree file last: a checkpoint renames the new tree file in before it
            // deletes the logs it folded, so logs copied before a tree file never miss writes it lacks
            // (a log deleted meanwhile was folded into the tree file copied after it)
            List<Path> files = databaseFiles(db);
            files.sort((a, b) -> Boolean.compare(a.equals(db), b.equals(db)));
            for (Path file : files) {
                try {
                    Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (java.nio.file.NoSuchFileException deleted) {
                    // a log the running checkpoint just deleted
                }
            }
            taken.add(new Image(dir, boundary, acknowledgedSteps));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> databaseFiles(Path db) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(db.toAbsolutePath().getParent(),
                db.getFileName() + "*")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals(db.getFileName().toString()) || name.contains(".wal.")) {
                    files.add(entry);
                }
            }
        }
        return files;
    }

    @Override
    public String name() {
        return "crash-images-" + delegate.name();
    }

    @Override
    public String refusal(DeviceAddress device) {
        return delegate.refusal(device);
    }

    @Override
    public DeviceInfo probe(DeviceAddress device) throws IOException {
        return delegate.probe(device);
    }

    @Override
    public IoQueue openQueue(QueueSpec spec) throws IOException {
        return new Queue(delegate.openQueue(spec));
    }

    private final class Queue extends ForwardingIoQueue {
        private final Set<Long> failing = new HashSet<>();

        Queue(IoQueue inner) {
            super(inner);
        }

        @Override
        public void addWrite(long tag, int handle, long offset, int length, int slot) {
            image("before write at " + offset);
            if (failWritesWith != 0) {
                failing.add(tag);
            }
            inner.addWrite(tag, handle, offset, length, slot);
        }

        @Override
        public void addFlush(long tag, int handle) {
            image("before flush");
            inner.addFlush(tag, handle);
        }

        @Override
        public int completionResult(int index) {
            int result = inner.completionResult(index);
            return failing.remove(inner.completionTag(index)) ? -failWritesWith : result;
        }
    }
}
