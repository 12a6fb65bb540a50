package io.jxrp.engine;

import java.util.Locale;

/** Which I/O backend the engine drives. */
public enum BackendKind {
    /**
     * Per target: {@code spdk} for an SPDK namespace; for a path, {@code passthru} where it applies,
     * else {@code uring} when the native shim loads and io_uring is allowed, else {@code java}. The
     * reason is kept ({@link Target#backendReason()}).
     */
    AUTO,
    /** The native io_uring shim; fails if it cannot load or io_uring is refused. */
    URING,
    /** Portable: FileChannel positional reads with O_DIRECT on a small thread pool; works anywhere. */
    JAVA,
    /**
     * NVMe commands through io_uring {@code URING_CMD} on the namespace's generic character device
     * ({@code /dev/ngXnY}): no file system, no block layer.
     */
    PASSTHRU,
    /** SPDK's user-space NVMe driver (PCIe, NVMe-oF/TCP), polled; needs {@code libjxrp_spdk.so}. */
    SPDK;

    public static BackendKind parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "' (auto, uring, java, passthru, spdk)", e);
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
