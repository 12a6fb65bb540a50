package io.jxrp.nvme;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the native shim can be used here, decided once (as netty's {@code IoUring} does):
 * the library loaded and an io_uring could be set up. When not, the real reason is kept: a load
 * failure, {@code ENOSYS} (no io_uring in the kernel), {@code EPERM} (seccomp, or the
 * {@code kernel.io_uring_disabled} sysctl).
 */
public final class NvmeNative {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeNative.class);

    /** Null when the library loaded. */
    private static final Throwable LIBRARY_CAUSE;
    /** Null when io_uring works too. */
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable libraryCause = null;
        Throwable cause = null;
        try {
            NativeShim.load();
        } catch (Throwable t) { // ExceptionInInitializerError, UnsatisfiedLinkError, NoClassDefFoundError
            libraryCause = t instanceof ExceptionInInitializerError e && e.getCause() != null ? e.getCause() : t;
            cause = libraryCause;
        }
        if (libraryCause == null) {
            int rc = NativeShim.jxrp_probe();
            if (rc < 0) {
                cause = NativeErrors.ioException("io_uring_setup", null, rc);
            }
        }
        LIBRARY_CAUSE = libraryCause;
        UNAVAILABILITY_CAUSE = cause;
        if (cause != null) {
            LOG.debug("jxrp native shim unavailable", cause);
        }
    }

    private NvmeNative() {}

    /** True when the library loaded and an io_uring could be set up. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false; null when available. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws {@link UnsupportedOperationException} with the cause unless {@link #isAvailable()}. */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new UnsupportedOperationException("jxrp native io_uring shim unavailable: "
                    + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
        }
    }

    /** True when the library loaded (device facts, FIEMAP and leases work without io_uring). */
    public static boolean isLibraryLoaded() {
        return LIBRARY_CAUSE == null;
    }

    /** Throws {@link UnsupportedOperationException} unless the library loaded. */
    static void ensureLibrary() {
        if (LIBRARY_CAUSE != null) {
            throw new UnsupportedOperationException("jxrp native library could not be loaded: " + LIBRARY_CAUSE,
                    LIBRARY_CAUSE);
        }
    }
}
