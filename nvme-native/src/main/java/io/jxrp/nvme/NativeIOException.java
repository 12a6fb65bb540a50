package io.jxrp.nvme;

import java.io.IOException;
import java.io.Serial;

/** An {@link IOException} from the native shim that keeps the errno, for callers that branch on it. */
public final class NativeIOException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int errno;

    /** {@code errno} is the positive errno value the message describes. */
    public NativeIOException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno value (for example 13 for EACCES). */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code EACCES}. */
    public String errnoName() {
        return NativeErrors.errnoName(errno);
    }
}
