package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.digest.MetadataDigest;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file, block device or NVMe namespace attached to a {@link ResubmissionEngine}: requests name it
 * ({@link XrpRequest#withTarget}), and every reactor has it open on the queue of the backend that
 * serves it. Thread-safe. {@link #close()} detaches it: requests already running finish (up to the
 * engine's drain timeout), later ones are refused.
 */
public final class Target implements AutoCloseable {
    final int id;
    final ResubmissionEngine engine;
    final TargetSpec spec;
    final IoBackend backend;
    final String backendReason;
    /** Index of the backend's queue (lane) in every reactor. */
    final int lane;
    final MetadataDigest digest;
    /** What the digest's device offsets address, and the file read for ranges it may not bypass (or null). */
    final DeviceAddress device;
    final DeviceAddress throughFile;
    final int logicalBlockSize;
    final boolean writable;
    final BlockVerifier verifier;
    /**
     * Alignment of every read and write on this target, as a mask: the device block, what each
     * reactor's queue needs and the verifier's block. Set once every reactor attached, before the
     * target is published to callers.
     */
    int blockMask;
    /** A regular file read through the identity digest: writes may extend it. */
    final boolean growable;

    // per reactor, written on that reactor's thread when it attaches the target, read there only
    final int[] deviceHandle;
    final int[] fileHandle;

    /** Requests and writes accepted for this target and not yet ended. */
    final AtomicInteger active = new AtomicInteger();
    volatile boolean closing;

    Target(int id, ResubmissionEngine engine, TargetSpec spec, IoBackend backend, String backendReason, int lane,
           MetadataDigest digest, DeviceAddress device, DeviceAddress throughFile, int logicalBlockSize,
           boolean writable, BlockVerifier verifier, boolean growable, int reactors) {
        this.id = id;
        this.engine = engine;
        this.spec = spec;
        this.backend = backend;
        this.backendReason = backendReason;
        this.lane = lane;
        this.digest = digest;
        this.device = device;
        this.throughFile = throughFile;
        this.logicalBlockSize = logicalBlockSize;
        this.writable = writable;
        this.verifier = verifier;
        this.growable = growable;
        this.deviceHandle = new int[reactors];
        this.fileHandle = new int[reactors];
        java.util.Arrays.fill(deviceHandle, -1);
        java.util.Arrays.fill(fileHandle, -1);
    }

    /** The spec as given when it was added. */
    public TargetSpec spec() {
        return spec;
    }

    /** Bytes addressable by requests: the file's size (it grows with writes past the end) or the device's. */
    public long sizeBytes() {
        return digest.fileSizeBytes();
    }

    /** The device's logical block size. */
    public int logicalBlockSize() {
        return logicalBlockSize;
    }

    /** Alignment of offsets and lengths of {@link ResubmissionEngine#write} on this target. */
    public int ioAlignment() {
        return blockMask + 1;
    }

    /** The backend serving it: {@code uring}, {@code java}, {@code passthru}, {@code spdk} or a custom one. */
    public String backendName() {
        return backend.name();
    }

    /** Why that backend serves it. */
    public String backendReason() {
        return backendReason;
    }

    /** Its metadata digest (how logical offsets become device offsets). */
    public MetadataDigest digest() {
        return digest;
    }

    public boolean isWritable() {
        return writable;
    }

    /** True until {@link #close()} was called. */
    public boolean isOpen() {
        return !closing;
    }

    /** Detaches it from the engine (same as {@link ResubmissionEngine#removeTarget}). Idempotent. */
    @Override
    public void close() {
        engine.removeTarget(this);
    }

    @Override
    public String toString() {
        return "Target[" + spec + ", " + backend.name() + ", " + digest.describe() + (closing ? ", closed" : "") + "]";
    }
}
