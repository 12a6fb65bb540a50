package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.DeviceInfo;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.QueueSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps a real backend and, on cue, fails, shortens or corrupts reads of chosen device offsets
 * (Lucene's MockDirectoryWrapper idea): the engine under test runs unchanged on real I/O.
 */
public final class FaultInjectingBackend implements IoBackend {

    /** What happens to a read of a cued offset. */
    public sealed interface Fault {
        /** The read completes with {@code -errno}. */
        record Fail(int errno) implements Fault {
        }

        /** The read completes with only {@code bytes} transferred. */
        record Short(int bytes) implements Fault {
        }

        /** The read succeeds but every byte of the buffer is flipped. */
        record Corrupt() implements Fault {
        }
    }

    private final IoBackend delegate;
    private final Map<Long, Fault> faults = new ConcurrentHashMap<>();

    public FaultInjectingBackend(IoBackend delegate) {
        this.delegate = delegate;
    }

    /** Cues a fault for every read whose range covers {@code deviceOffset}. */
    public FaultInjectingBackend inject(long deviceOffset, Fault fault) {
        faults.put(deviceOffset, fault);
        return this;
    }

    public void clear() {
        faults.clear();
    }

    @Override
    public String name() {
        return "faulty-" + delegate.name();
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
        /** tag -> (offset, slot) of reads in flight; the wrapper may allocate, it is test code. */
        private final Map<Long, long[]> inflight = new HashMap<>();

        Queue(IoQueue inner) {
            super(inner);
        }

        @Override
        public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
            inflight.put(tag, new long[] {offset, slot, length});
            inner.addRead(tag, fileIndex, offset, length, slot);
        }

        @Override
        public int completionResult(int index) {
            int result = inner.completionResult(index);
            long[] read = inflight.remove(inner.completionTag(index));
            Fault f = null;
            if (read != null) {
                for (Map.Entry<Long, Fault> e : faults.entrySet()) {
                    if (e.getKey() >= read[0] && e.getKey() < read[0] + read[2]) {
                        f = e.getValue();
                    }
                }
            }
            if (f == null || result < 0) {
                return result;
            }
            return switch (f) {
                case Fault.Fail fail -> -fail.errno();
                case Fault.Short s -> Math.min(result, s.bytes());
                case Fault.Corrupt c -> {
                    MemorySegment b = inner.buffer((int) read[1]);
                    for (long i = 0; i < result; i++) {
                        b.set(ValueLayout.JAVA_BYTE, i, (byte) ~b.get(ValueLayout.JAVA_BYTE, i));
                    }
                    yield result;
                }
            };
        }
    }
}
