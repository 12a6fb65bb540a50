package io.jxrp.nvme.spdk;

import com.sun.jna.Native;

/**
 * Every entry point of {@code libjxrp_spdk.so}, bound with JNA direct mapping (one call per batch
 * on the hot path). Arguments are plain {@code int}/{@code long}; memory crosses as addresses.
 * Results are {@code >= 0} or {@code -errno}. Loading happens in the static initializer, which
 * {@link Spdk} runs once with the JVM's SIGBUS handler saved and put back around it.
 *
 * <p>The system property {@code jxrp.spdk.library} names another build (a library name or an
 * absolute path); by default JNA finds {@code linux-x86-64/libjxrp_spdk.so} on the class path.
 */
final class SpdkShim {
    static final String LIBRARY = System.getProperty("jxrp.spdk.library", "jxrp_spdk");

    static {
        Native.register(SpdkShim.class, LIBRARY);
    }

    private SpdkShim() {}

    /** Triggers class initialization (and so the library load). */
    static void load() {}

    static native String jxrp_spdk_errno_name(int err);

    static native String jxrp_spdk_errno_text(int err);

    static native int jxrp_spdk_env_init(int hugepages, int memSizeMb, int noPci, String lcoreMap);

    static native int jxrp_spdk_env_hugepages();

    static native int jxrp_spdk_env_sweep();

    static native int jxrp_spdk_trid_check(String trid);

    static native long jxrp_spdk_ctrlr_connect(String trid);

    static native int jxrp_spdk_ctrlr_disconnect(long ctrlr);

    static native int jxrp_spdk_ctrlr_poll_admin(long ctrlr);

    static native int jxrp_spdk_ctrlr_failed(long ctrlr);

    static native int jxrp_spdk_ctrlr_max_nsid(long ctrlr);

    static native int jxrp_spdk_ns_info(long ctrlr, int nsid, long outAddress);

    static native long jxrp_spdk_qp_create(int depth, int bufferCount, int bufferSizeBytes);

    static native long jxrp_spdk_qp_slab(long qp);

    static native int jxrp_spdk_qp_attach(long qp, long ctrlr, int nsid);

    static native int jxrp_spdk_qp_detach(long qp, int handle);

    static native long jxrp_spdk_qp_submit_and_reap(long qp, long descriptorsAddress, int count,
                                                    long completionsAddress, int capacity, int minComplete,
                                                    long timeoutNanos);

    static native int jxrp_spdk_qp_set_io_timeout(long qp, long timeoutNanos);

    static native int jxrp_spdk_qp_wakeup(long qp);

    static native int jxrp_spdk_qp_inflight(long qp);

    static native int jxrp_spdk_qp_close(long qp, long drainTimeoutNanos);
}
