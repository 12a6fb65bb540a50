package io.jxrp.nvme.spdk;

import io.jxrp.nvme.NativeIOException;

/** The one place of this package that turns a {@code -errno} result into an exception. */
final class SpdkErrors {
    private SpdkErrors() {}

    /** Symbolic name of an errno ({@code ENXIO}). */
    static String errnoName(int errno) {
        return SpdkShim.jxrp_spdk_errno_name(errno);
    }

    /** {@code "<operation> <what>: ENXIO (No such device or address)[: hint]"} for a negative result. */
    static NativeIOException ioException(String operation, Object what, long negativeErrno, String hint) {
        int errno = (int) -negativeErrno;
        String text = errnoName(errno) + " (" + SpdkShim.jxrp_spdk_errno_text(errno) + ")";
        return new NativeIOException(operation + (what == null ? "" : " " + what) + ": " + text
                + (hint == null ? "" : ": " + hint), errno);
    }
}
