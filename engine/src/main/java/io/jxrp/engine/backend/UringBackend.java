package io.jxrp.engine.backend;

import io.jxrp.nvme.NvmeNative;
import io.jxrp.nvme.QueuePair;
import io.jxrp.nvme.QueuePairConfig;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** The native io_uring shim: one ring per queue, fixed buffers and files, one native call per batch. */
public final class UringBackend implements IoBackend {
    /** The backend; whether it can run here is {@link #unavailabilityCause()}. */
    public UringBackend() {
    }

    /** Throws, with the kept reason, when the shim did not load or io_uring is refused. */
    public static void ensureAvailable() {
        NvmeNative.ensureAvailable();
    }

    /** Why the shim cannot be used, or null when it can. */
    public static Throwable unavailabilityCause() {
        return NvmeNative.unavailabilityCause();
    }

    @Override
    public String name() {
        return "uring";
    }

    @Override
    public IoQueue openQueue(QueueSpec spec) throws IOException {
        QueuePair qp = QueuePair.open(new QueuePairConfig(List.of(), false, spec.depth(), spec.bufferCount(),
                spec.bufferSizeBytes(), spec.maxDevices()));
        return new UringQueue(qp);
    }

    private record UringQueue(QueuePair qp) implements IoQueue {
        @Override
        public MemorySegment buffer(int slot) {
            return qp.buffer(slot);
        }

        @Override
        public int attach(DeviceAddress device, boolean writable) throws IOException {
            if (!(device instanceof DeviceAddress.PathDevice(var path))) {
                throw new IOException("uring cannot open " + device.describe());
            }
            return qp.attach(path, writable);
        }

        @Override
        public void detach(int handle) throws IOException {
            qp.detach(handle);
        }

        @Override
        public int alignment(int handle) {
            return 1;
        }

        @Override
        public void addRead(long tag, int handle, long offset, int length, int slot) {
            qp.addRead(tag, handle, offset, length, slot);
        }

        @Override
        public void addWrite(long tag, int handle, long offset, int length, int slot) {
            qp.addWrite(tag, handle, offset, length, slot);
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
    }
}
