package io.jxrp.nvme.spdk;

import io.jxrp.nvme.CloseGuard;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A connection to an NVMe controller through SPDK's initiator (NVMe-oF/TCP, RDMA, or PCIe).
 * Connections to one transport ID share SPDK's controller, which detaches when the last
 * {@code SpdkController} is closed and no queue pair has a namespace of it attached. While in use,
 * its admin queue is polled about once a second ({@link KeepAlive}); once it fails (target gone,
 * connection lost) it stays failed and its I/O completes with errors.
 *
 * <p>Thread-safe. Close is idempotent and waits for calls in progress.
 */
public final class SpdkController implements AutoCloseable {
    private static final int ENOENT = 2;

    private final TransportId transportId;
    private final long handle;
    private final CloseGuard guard;

    private SpdkController(TransportId transportId, long handle) {
        this.transportId = transportId;
        this.handle = handle;
        this.guard = new CloseGuard("SPDK controller " + transportId.controllerString());
    }

    /**
     * Connects to the controller {@code transportId} names (its {@code ns} is ignored here), setting
     * up SPDK's environment first if this is the process's first use (see {@link SpdkEnvOptions}).
     *
     * @throws IOException nothing answered ({@code ECONNREFUSED}, {@code ENXIO}), SPDK refused the
     *     transport ID ({@code EINVAL}), or the environment could not be set up
     * @throws UnsupportedOperationException when the SPDK shim is unavailable ({@link Spdk})
     */
    public static SpdkController connect(TransportId transportId) throws IOException {
        Spdk.ensureAvailable();
        Spdk.ensureEnv(transportId.isPcie());
        String trid = transportId.controllerString();
        long handle = SpdkShim.jxrp_spdk_ctrlr_connect(trid);
        if (handle < 0) {
            throw SpdkErrors.ioException("connect to NVMe controller", "'" + trid + "'", handle,
                    transportId.isPcie() ? "is the device bound to vfio-pci/uio (SPDK's scripts/setup.sh)?"
                            : "is a target listening there and exporting that subsystem?");
        }
        SpdkController controller = new SpdkController(transportId.withNsid(1), handle);
        KeepAlive.acquire(handle, trid);
        return controller;
    }

    /** The controller's transport ID (namespace 1). */
    public TransportId transportId() {
        return transportId;
    }

    /**
     * Facts of namespace {@code nsid}.
     *
     * @throws IOException {@code ENOENT} when the namespace does not exist or is inactive
     */
    public NamespaceInfo namespace(int nsid) throws IOException {
        guard.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(NamespaceInfoDescriptor.LENGTH, NamespaceInfoDescriptor.ALIGNMENT);
            int rc = SpdkShim.jxrp_spdk_ns_info(handle, nsid, record.address());
            if (rc < 0) {
                throw SpdkErrors.ioException("namespace " + Integer.toUnsignedString(nsid) + " of",
                        transportId.controllerString(), rc, rc == -ENOENT ? "no such active namespace (the "
                                + "controller reports up to " + SpdkShim.jxrp_spdk_ctrlr_max_nsid(handle) + ")" : null);
            }
            return NamespaceInfoDescriptor.read(record, nsid);
        } finally {
            guard.release();
        }
    }

    /** True once the controller failed (the keep-alive poll or an I/O noticed). */
    public boolean isFailed() {
        guard.acquire();
        try {
            return SpdkShim.jxrp_spdk_ctrlr_failed(handle) == 1;
        } finally {
            guard.release();
        }
    }

    /** The native handle, held open until {@link #releaseHandle()} (close waits for it). */
    long acquireHandle() {
        guard.acquire();
        return handle;
    }

    void releaseHandle() {
        guard.release();
    }

    /** Drops this connection (the controller detaches when nothing else uses it). Idempotent. */
    @Override
    public void close() {
        if (!guard.markClosed()) {
            return;
        }
        guard.awaitCallsDone();
        KeepAlive.release(handle);
        SpdkShim.jxrp_spdk_ctrlr_disconnect(handle);
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    @Override
    public String toString() {
        return "SpdkController[" + transportId.controllerString() + (isClosed() ? ", closed" : "") + "]";
    }
}
