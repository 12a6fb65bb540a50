package io.jxrp.engine.backend;

import io.jxrp.nvme.NvmeNative;
import io.jxrp.nvme.QueuePair;
import io.jxrp.nvme.QueuePairConfig;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

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
    public IoQueue open(QueueSpec spec) throws IOException {
        QueuePair qp = QueuePair.open(new QueuePairConfig(spec.files(), false, spec.depth(), spec.bufferCount(),
                spec.bufferSizeBytes()));
        return new UringQueue(qp);
    }

    private record UringQueue(QueuePair qp) implements IoQueue {
        @Override
        public int alignment() {
            return 1;
        }

        @Override
        public MemorySegment buffer(int slot) {
            return qp.buffer(slot);
        }

        @Override
        public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
            qp.addRead(tag, fileIndex, offset, length, slot);
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
