package io.jxrp.engine.backend;

import java.io.IOException;

/** The few errno values the portable backend can tell apart from a Java I/O exception's message. */
final class Errno {
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;

    private Errno() {
    }

    static int guess(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Invalid argument")) {
            return EINVAL;
        }
        if (m.contains("No space left")) {
            return ENOSPC;
        }
        return EIO;
    }
}
