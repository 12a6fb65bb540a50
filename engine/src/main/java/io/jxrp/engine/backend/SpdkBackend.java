package io.jxrp.engine.backend;

import io.jxrp.nvme.spdk.NamespaceInfo;
import io.jxrp.nvme.spdk.Spdk;
import io.jxrp.nvme.spdk.SpdkController;
import io.jxrp.nvme.spdk.SpdkQueuePair;
import io.jxrp.nvme.spdk.TransportId;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * SPDK's user-space NVMe driver (NVMe-oF/TCP, RDMA, PCIe) through {@code libjxrp_spdk.so}: one
 * {@link SpdkQueuePair} per reactor, one SPDK I/O qpair per controller on it, namespaces attached
 * as devices. Polled: the reactor spins while I/O is in flight (there is no interrupt to wait on).
 */
public final class SpdkBackend implements IoBackend {
    /** The backend; whether it can run here is {@link #unavailabilityCause()}. */
    public SpdkBackend() {
    }

    /** Throws, with the kept reason, when the SPDK shim did not load. */
    public static void ensureAvailable() {
        Spdk.ensureAvailable();
    }

    /** Why the SPDK shim cannot be used, or null when it can. */
    public static Throwable unavailabilityCause() {
        return Spdk.unavailabilityCause();
    }

    @Override
    public String name() {
        return "spdk";
    }

    @Override
    public String refusal(DeviceAddress device) {
        if (!(device instanceof DeviceAddress.SpdkNamespace)) {
            return "spdk serves NVMe namespaces (spdk:<transport ID> [ns:N]) only, not " + device.describe();
        }
        if (!Spdk.isAvailable()) {
            return "SPDK shim unavailable: " + Spdk.unavailabilityCause();
        }
        return null;
    }

    @Override
    public DeviceInfo probe(DeviceAddress device) throws IOException {
        TransportId id = transportId(device);
        try (SpdkController controller = SpdkController.connect(id)) {
            NamespaceInfo ns = controller.namespace(id.nsid());
            return new DeviceInfo(ns.sizeBytes(), ns.sectorSizeBytes(),
                    "NVMe namespace " + id.nsid() + " of " + id.controllerString() + " over SPDK");
        }
    }

    @Override
    public IoQueue openQueue(QueueSpec spec) throws IOException {
        return new SpdkQueue(SpdkQueuePair.open(spec.depth(), spec.bufferCount(), spec.bufferSizeBytes()));
    }

    /** The transport ID, checked by the nvme-native parser (clear errors before SPDK sees it). */
    static TransportId transportId(DeviceAddress device) throws IOException {
        if (!(device instanceof DeviceAddress.SpdkNamespace ns)) {
            throw new IOException("spdk cannot open " + device.describe());
        }
        try {
            return TransportId.parse(ns.transportId()).withNsid(ns.nsid());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private record SpdkQueue(SpdkQueuePair qp) implements IoQueue {
        @Override
        public MemorySegment buffer(int slot) {
            return qp.buffer(slot);
        }

        @Override
        public int attach(DeviceAddress device, boolean writable) throws IOException {
            TransportId id = transportId(device);
            // the queue pair holds the controller (and its keep-alive) while the namespace is attached
            try (SpdkController controller = SpdkController.connect(id)) {
                return qp.attach(controller, id.nsid());
            }
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
        public boolean polled() {
            return true;
        }

        @Override
        public int submitAndReap(int minComplete, long timeoutNanos) {
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
