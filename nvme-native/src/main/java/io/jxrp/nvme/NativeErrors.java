package io.jxrp.nvme;

import java.io.IOException;
import java.nio.file.Path;

/** The one place that turns a {@code -errno} result into an {@link IOException}. */
public final class NativeErrors {
    private NativeErrors() {}

    /** Symbolic name of an errno ({@code EACCES}); works even when the library failed to load. */
    static String errnoName(int errno) {
        try {
            return NativeShim.jxrp_errno_name(errno);
        } catch (LinkageError e) {
            return "errno " + errno;
        }
    }

    /** {@code "EACCES (Permission denied)"}: the errno's name and text ({@code "errno N"} without the shim). */
    public static String describe(int errno) {
        try {
            return errnoName(errno) + " (" + NativeShim.jxrp_errno_text(errno) + ")";
        } catch (LinkageError e) {
            return "errno " + errno;
        }
    }

    /** {@code "<operation> <path>: EACCES (Permission denied)"} for a negative result. */
    public static IOException ioException(String operation, Object path, long negativeErrno) {
        return ioException(operation, path, negativeErrno, null);
    }

    /** Same, with a hint appended ({@code "...: EINVAL (Invalid argument): <hint>"}) when not null. */
    public static IOException ioException(String operation, Object path, long negativeErrno, String hint) {
        int errno = (int) -negativeErrno;
        String text = describe(errno);
        String where = path == null ? "" : " " + path;
        return new NativeIOException(operation + where + ": " + text + (hint == null ? "" : ": " + hint), errno);
    }

    /** Throws {@link #ioException} when the result is negative, else returns it. */
    static long check(long result, String operation, Path path) throws IOException {
        if (result < 0) {
            throw ioException(operation, path, result);
        }
        return result;
    }
}
