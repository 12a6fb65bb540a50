package io.jxrp.engine.backend;

import io.jxrp.nvme.NvmeNamespace;
import io.jxrp.nvme.QueuePair;
import io.jxrp.nvme.QueuePairConfig;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.List;

/**
 * NVMe passthrough: reads, writes and flushes as NVMe commands through io_uring
 * ({@code IORING_OP_URING_CMD}) on a namespace's generic char device ({@code /dev/ngXnY}), skipping
 * the block layer and any file system, with the shim's fixed buffers where the kernel takes them
 * (Linux 6.1+). It serves an NVMe namespace named by its block device, a partition of it or its
 * generic device; a file on a file system on a namespace goes through the FIEMAP digest, whose
 * device is the namespace (and whose unsafe ranges this backend reads through the file, on the same
 * ring). Needs the shim, Linux 5.19+, a namespace format without metadata, and CAP_SYS_ADMIN (Linux
 * before 6.2); {@link #refusal} says which is missing.
 */
public final class PassthruBackend implements IoBackend {
    /** The backend; whether it serves a device is {@link #refusal}. */
    public PassthruBackend() {
    }

    @Override
    public String name() {
        return "passthru";
    }

    /**
     * Null when {@code device} is an NVMe namespace that an NVMe read through io_uring could just read
     * (identified, and block 0 read, on its generic device), else why not.
     */
    @Override
    public String refusal(DeviceAddress device) {
        if (!(device instanceof DeviceAddress.PathDevice(var path))) {
            return "passthru serves NVMe namespaces of this host's kernel (/dev/nvmeXnY, a partition, /dev/ngXnY)";
        }
        Throwable unavailable = UringBackend.unavailabilityCause();
        if (unavailable != null) {
            return "io_uring shim unavailable: " + unavailable;
        }
        if (Files.isRegularFile(path)) {
            return path + " is a regular file: passthru reads a file through the FIEMAP digest, from the NVMe "
                    + "namespace under its file system";
        }
        try {
            NvmeNamespace namespace = NvmeNamespace.probe(path, true);
            String format = namespace.formatRefusal();
            if (format != null) {
                return format;
            }
            return namespace.passthrough() ? null : namespace.genericDevice() + " refused an NVMe read through io_uring";
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** A namespace's size and LBA size from Identify Namespace (a partition's size); a file's as any path's. */
    @Override
    public DeviceInfo probe(DeviceAddress device) throws IOException {
        if (device instanceof DeviceAddress.PathDevice(var path) && !Files.isRegularFile(path)) {
            NvmeNamespace namespace = NvmeNamespace.probe(path, false);
            return new DeviceInfo(namespace.sizeBytes(), namespace.lbaBytes(), namespace.describe());
        }
        return IoBackend.super.probe(device);
    }

    @Override
    public IoQueue openQueue(QueueSpec spec) throws IOException {
        UringBackend.ensureAvailable();
        QueuePair qp = QueuePair.openPassthru(new QueuePairConfig(List.of(), false, spec.depth(), spec.bufferCount(),
                spec.bufferSizeBytes(), spec.maxDevices()));
        return new PassthruQueue(qp, new long[spec.maxDevices()]);
    }

    /**
     * One passthrough ring. A partition attaches as its namespace: descriptors carry byte offsets
     * into the namespace, so each handle keeps where its device starts there.
     */
    private record PassthruQueue(QueuePair qp, long[] baseOffset) implements IoQueue {
        @Override
        public MemorySegment buffer(int slot) {
            return qp.buffer(slot);
        }

        @Override
        public int attach(DeviceAddress device, boolean writable) throws IOException {
            if (!(device instanceof DeviceAddress.PathDevice(var path))) {
                throw new IOException("passthru cannot open " + device.describe());
            }
            if (Files.isRegularFile(path)) {
                int handle = qp.attach(path, writable);
                baseOffset[handle] = 0;
                return handle;
            }
            NvmeNamespace namespace = NvmeNamespace.probe(path, false);
            String format = namespace.formatRefusal();
            if (format != null) {
                throw new IOException(path + ": " + format);
            }
            int handle = qp.attachNamespace(namespace, writable);
            baseOffset[handle] = namespace.offsetBytes();
            return handle;
        }

        @Override
        public void detach(int handle) throws IOException {
            qp.detach(handle);
        }

        @Override
        public int alignment(int handle) {
            return 1; // the engine aligns to the logical block size it probed, which is all NVMe needs
        }

        @Override
        public void addRead(long tag, int handle, long offset, int length, int slot) {
            qp.addRead(tag, handle, baseOffset[handle] + offset, length, slot);
        }

        @Override
        public void addWrite(long tag, int handle, long offset, int length, int slot) {
            qp.addWrite(tag, handle, baseOffset[handle] + offset, length, slot);
        }

        @Override
        public void addFlush(long tag, int handle) {
            qp.addFlush(tag, handle);
        }

        @Override
        public int staged() {
            return qp.staged();
        }

        @Override
        public int submitAndReap(int minComplete, long timeoutNanos) throws IOException {
            return qp.submitAndReap(minComplete, timeoutNanos);
        }

        @Override
        public long completionTag(int index) {
            return qp.completionTag(index);
        }

        @Override
        public int completionResult(int index) {
            return qp.completionResult(index);
        }

        @Override
        public void wakeup() {
            qp.wakeup();
        }

        @Override
        public void close() {
            qp.close();
        }

        @Override
        public String toString() {
            return "passthru " + qp;
        }
    }
}
