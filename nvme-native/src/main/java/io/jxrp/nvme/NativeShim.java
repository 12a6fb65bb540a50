package io.jxrp.nvme;

import com.sun.jna.Native;

/**
 * Every entry point of {@code libjxrp_nvme.so}, bound with JNA direct mapping.
 *
 * <p>Arguments are plain {@code int}/{@code long}; memory crosses as addresses of
 * {@link java.lang.foreign.MemorySegment}s whose lifetime the caller guarantees for the duration
 * of the call. Results are {@code >= 0} or {@code -errno} ({@link NativeErrors} turns them into
 * exceptions). Loading happens in the static initializer; {@link NvmeNative} catches and keeps a
 * failure.
 *
 * <p>The system property {@code jxrp.nvme.library} names another build of the shim (a library name
 * or an absolute path); by default JNA finds {@code linux-x86-64/libjxrp_nvme.so} on the class path.
 */
final class NativeShim {
    static final String LIBRARY = System.getProperty("jxrp.nvme.library", "jxrp_nvme");

    static {
        Native.register(NativeShim.class, LIBRARY);
    }

    private NativeShim() {}

    /** Triggers class initialization (and so the library load). */
    static void load() {}

    static native int jxrp_probe();

    static native String jxrp_errno_name(int err);

    static native String jxrp_errno_text(int err);

    static native int jxrp_open_direct(String path, int writable);

    static native int jxrp_close_fd(int fd);

    static native int jxrp_open_nvme(String path, int writable);

    static native int jxrp_nvme_namespace_probe(String path, long outAddress, int tryRead);

    static native int jxrp_qp_nvme_fixed(long handle);

    static native long jxrp_qp_create(int depth, long slabAddress, int bufferCount, int bufferSizeBytes,
                                      int maxFiles, int flags);

    static native int jxrp_qp_attach(long handle, int fd, int kind);

    static native int jxrp_qp_detach(long handle, int file);

    static native int jxrp_qp_fixed_buffers(long handle);

    static native long jxrp_qp_submit_and_reap(long handle, long descriptorsAddress, int count,
                                               long completionsAddress, int capacity, int minComplete,
                                               long timeoutNanos);

    static native int jxrp_qp_wakeup(long handle);

    static native int jxrp_qp_close(long handle, long drainTimeoutNanos);

    static native int jxrp_device_probe(String path, long outAddress);

    static native long jxrp_file_device(String path);

    static native int jxrp_fiemap(String path, long startOffset, long outAddress, int maxExtents, int sync);

    static native int jxrp_lease_signal();

    static native int jxrp_lease_acquire(String path, long counterAddress);

    static native int jxrp_lease_set(int lease, int reacquire);

    static native int jxrp_lease_await(int lease, long timeoutNanos);

    static native int jxrp_lease_wake(int lease);

    static native int jxrp_lease_close(int lease);

    static native int jxrp_raw_random_reads(String path, int blockSize, int depth, long durationNanos, long seed,
                                            long regionBytes, long outAddress);
}
