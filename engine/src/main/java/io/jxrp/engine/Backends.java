package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.UringBackend;

/** Chooses the I/O backend and says why. */
final class Backends {

    /** The backend chosen and the reason, for the log and {@link ResubmissionEngine#backendReason()}. */
    record Selection(IoBackend backend, String reason) {
    }

    private Backends() {
    }

    static Selection select(BackendKind kind, int javaThreads) {
        return switch (kind) {
            case URING -> {
                UringBackend.ensureAvailable();
                yield new Selection(new UringBackend(), "forced");
            }
            case JAVA -> new Selection(new JavaBackend(javaThreads), "forced");
            case SPDK -> throw new UnsupportedOperationException(
                    "the spdk backend is not built: jxrp found no SPDK installation (headers, libspdk, VFIO-bound "
                            + "NVMe) when it was built; use uring or java");
            case AUTO -> {
                Throwable cause = UringBackend.unavailabilityCause();
                yield cause == null
                        ? new Selection(new UringBackend(), "auto: io_uring shim loaded")
                        : new Selection(new JavaBackend(javaThreads), "auto: io_uring unavailable (" + cause + ")");
            }
        };
    }
}
