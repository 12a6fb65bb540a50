package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.IoQueue;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * An {@link IoQueue} that hands every call to another: test wrappers (fault injection, read
 * recording, crash images) override only the calls they watch or change.
 */
public class ForwardingIoQueue implements IoQueue {
    protected final IoQueue inner;

    public ForwardingIoQueue(IoQueue inner) {
        this.inner = inner;
    }

    @Override
    public MemorySegment buffer(int slot) {
        return inner.buffer(slot);
    }

    @Override
    public int attach(DeviceAddress device, boolean writable) throws IOException {
        return inner.attach(device, writable);
    }

    @Override
    public void detach(int handle) throws IOException {
        inner.detach(handle);
    }

    @Override
    public int alignment(int handle) {
        return inner.alignment(handle);
    }

    @Override
    public void addRead(long tag, int handle, long offset, int length, int slot) {
        inner.addRead(tag, handle, offset, length, slot);
    }

    @Override
    public void addWrite(long tag, int handle, long offset, int length, int slot) {
        inner.addWrite(tag, handle, offset, length, slot);
    }

    @Override
    public void addFlush(long tag, int handle) {
        inner.addFlush(tag, handle);
    }

    @Override
    public int staged() {
        return inner.staged();
    }

    @Override
    public boolean polled() {
        return inner.polled();
    }

    @Override
    public int submitAndReap(int minComplete, long timeoutNanos) throws IOException {
        return inner.submitAndReap(minComplete, timeoutNanos);
    }

    @Override
    public long completionTag(int index) {
        return inner.completionTag(index);
    }

    @Override
    public int completionResult(int index) {
        return inner.completionResult(index);
    }

    @Override
    public void wakeup() {
        inner.wakeup();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
