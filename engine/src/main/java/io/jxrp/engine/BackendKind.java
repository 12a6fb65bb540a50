package io.jxrp.engine;

import java.util.Locale;

/** Which I/O backend the engine drives. */
public enum BackendKind {
    /** {@code uring} when the native shim loads and io_uring is allowed, else {@code java}; the reason is logged. */
    AUTO,
    /** The native io_uring shim; fails if it cannot load or io_uring is refused. */
    URING,
    /** Portable: FileChannel positional reads with O_DIRECT on a small thread pool; works anywhere. */
    JAVA,
    /**
     * SPDK user-space NVMe driver. Not built in this tree: no SPDK headers or VFIO devices exist on the
     * machines jxrp is developed and tested on, so selecting it fails with that reason rather than
     * pretending.
     */
    SPDK;

    public static BackendKind parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "' (auto, uring, java, spdk)", e);
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
