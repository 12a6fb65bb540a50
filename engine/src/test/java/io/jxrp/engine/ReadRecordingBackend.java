package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.DeviceInfo;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.QueueSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Wraps a real backend and records every read the engine issues: which device it went to and where.
 * What a test needs to see that a digest bypassed the file system, or did not.
 */
public final class ReadRecordingBackend implements IoBackend {
    /** One read as issued: the device (its {@link DeviceAddress#describe()}), offset and length. */
    public record Read(String device, long offset, int length) {
    }

    private final IoBackend delegate;
    private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

    public ReadRecordingBackend(IoBackend delegate) {
        this.delegate = delegate;
    }

    /** The reads recorded since the last call, oldest first; clears the record. */
    public List<Read> takeReads() {
        List<Read> taken = new java.util.ArrayList<>();
        Read r;
        while ((r = reads.poll()) != null) {
            taken.add(r);
        }
        return taken;
    }

    @Override
    public String name() {
        return delegate.name();
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
        IoQueue inner = delegate.openQueue(spec);
        Map<Integer, String> devices = new ConcurrentHashMap<>();
        return new ForwardingIoQueue(inner) {
            @Override
            public int attach(DeviceAddress device, boolean writable) throws IOException {
                int handle = inner.attach(device, writable);
                devices.put(handle, device.describe());
                return handle;
            }

            @Override
            public void detach(int handle) throws IOException {
                inner.detach(handle);
                devices.remove(handle);
            }

            @Override
            public void addRead(long tag, int handle, long offset, int length, int slot) {
                reads.add(new Read(devices.get(handle), offset, length));
                inner.addRead(tag, handle, offset, length, slot);
            }
        };
    }
}
