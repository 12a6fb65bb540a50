package io.jxrp.engine.backend;

import java.io.IOException;

/**
 * A way to do I/O: probes devices and opens queues over them. A reactor opens one queue per backend
 * it uses and attaches every target's devices to it.
 */
public interface IoBackend {

    /** Short name used in options and logs: {@code uring}, {@code java}, {@code passthru}, {@code spdk}. */
    String name();

    /** Why this backend cannot serve {@code device}, or null when it can. */
    default String refusal(DeviceAddress device) {
        if (!(device instanceof DeviceAddress.PathDevice(var path))) {
            return name() + " serves files and block devices only";
        }
        return PathDevices.refusal(path);
    }

    /** Size and logical block size of {@code device}; called before it is attached anywhere. */
    default DeviceInfo probe(DeviceAddress device) throws IOException {
        if (device instanceof DeviceAddress.PathDevice(var path)) {
            return PathDevices.probe(path);
        }
        throw new IOException(name() + " cannot probe " + device.describe());
    }

    /** Opens one queue; each reactor gets its own, used by that reactor's thread only. */
    IoQueue openQueue(QueueSpec spec) throws IOException;
}
