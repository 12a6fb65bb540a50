package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.PassthruBackend;
import io.jxrp.engine.backend.SpdkBackend;
import io.jxrp.engine.backend.UringBackend;
import java.util.EnumMap;
import java.util.Map;

/**
 * Chooses the backend for each target and says why; one instance of each backend per engine, so
 * targets served by the same backend share each reactor's queue.
 */
final class Backends {

    /** The backend chosen and the reason, kept by the target ({@link Target#backendReason()}). */
    record Selection(IoBackend backend, String reason) {
    }

    private final IoBackend given;
    private final int javaThreads;
    private final Map<BackendKind, IoBackend> instances = new EnumMap<>(BackendKind.class);

    /** @param given a backend every target must use (a test's fault injector), or null to choose per target */
    Backends(IoBackend given, int javaThreads) {
        this.given = given;
        this.javaThreads = javaThreads;
    }

    synchronized Selection select(BackendKind kind, DeviceAddress device) {
        if (given != null) {
            return new Selection(checked(given, device), "given by the caller");
        }
        return switch (kind) {
            case URING -> {
                UringBackend.ensureAvailable();
                yield new Selection(checked(instance(BackendKind.URING), device), "forced");
            }
            case JAVA -> new Selection(checked(instance(BackendKind.JAVA), device), "forced");
            case PASSTHRU -> {
                UringBackend.ensureAvailable();
                yield new Selection(checked(instance(BackendKind.PASSTHRU), device), "forced");
            }
            case SPDK -> {
                SpdkBackend.ensureAvailable();
                yield new Selection(checked(instance(BackendKind.SPDK), device), "forced");
            }
            case AUTO -> {
                if (device instanceof DeviceAddress.SpdkNamespace) {
                    SpdkBackend.ensureAvailable();
                    yield new Selection(checked(instance(BackendKind.SPDK), device),
                            "auto: an NVMe namespace is served by SPDK");
                }
                Throwable cause = UringBackend.unavailabilityCause();
                if (cause != null) {
                    yield new Selection(checked(instance(BackendKind.JAVA), device),
                            "auto: io_uring unavailable (" + cause + ")");
                }
                // passthru where it applies: NVMe commands skip the block layer (and, under a FIEMAP
                // digest, the file system); the probe behind refusal() has just read the namespace
                IoBackend passthru = instance(BackendKind.PASSTHRU);
                String notPassthru = passthru.refusal(device);
                if (notPassthru == null) {
                    yield new Selection(passthru, "auto: " + device.describe()
                            + " is an NVMe namespace that takes NVMe commands through io_uring (" + describe(passthru, device)
                            + "), which skip the block layer");
                }
                yield new Selection(checked(instance(BackendKind.URING), device),
                        "auto: io_uring shim loaded; not passthru: " + notPassthru);
            }
        };
    }

    private IoBackend instance(BackendKind kind) {
        return instances.computeIfAbsent(kind, k -> switch (k) {
            case URING -> new UringBackend();
            case JAVA -> new JavaBackend(javaThreads);
            case PASSTHRU -> new PassthruBackend();
            case SPDK -> new SpdkBackend();
            default -> throw new IllegalArgumentException(k + " has no instance here");
        });
    }

    private static String describe(IoBackend backend, DeviceAddress device) {
        try {
            return backend.probe(device).description();
        } catch (java.io.IOException e) {
            return e.getMessage();
        }
    }

    private static IoBackend checked(IoBackend backend, DeviceAddress device) {
        String refusal = backend.refusal(device);
        if (refusal != null) {
            throw new IllegalArgumentException(device.describe() + ": " + refusal);
        }
        return backend;
    }
}
