package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.UringBackend;
import io.jxrp.testing.Requirements;

/**
 * The backends tests run on. A test that wants the io_uring backend asks for it here: it skips where
 * the shim is unavailable, and fails in CI, instead of quietly running on the {@code java} backend.
 */
public final class TestBackends {
    private TestBackends() {
    }

    /** Skips (fails in CI) unless the io_uring shim loads and io_uring works here. */
    public static void requireUring() {
        Requirements.requireAvailable("io_uring shim", UringBackend.unavailabilityCause());
    }

    /** The io_uring backend; see {@link #requireUring()}. */
    public static IoBackend uring() {
        requireUring();
        return new UringBackend();
    }

    /** The portable backend, which works anywhere. */
    public static IoBackend java() {
        return new JavaBackend(4);
    }

    /** {@link #uring()} or {@link #java()}. */
    public static IoBackend of(BackendKind kind) {
        return switch (kind) {
            case URING -> uring();
            case JAVA -> java();
            default -> throw new IllegalArgumentException("no test backend for " + kind);
        };
    }
}
