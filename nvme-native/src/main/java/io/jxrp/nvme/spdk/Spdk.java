package io.jxrp.nvme.spdk;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether jxrp's SPDK shim ({@code libjxrp_spdk.so}, built only where SPDK was found) can be used
 * here, decided once with the cause kept (as netty's {@code IoUring} does), and SPDK's
 * environment, set up once per process (SPDK cannot set it up twice, not even after tearing it
 * down). The JVM's SIGBUS handler is saved before the library loads and put back after, because
 * SPDK's env library installs its own from a constructor (see {@link SigbusHandler}).
 */
public final class Spdk {
    private static final Logger LOG = LoggerFactory.getLogger(Spdk.class);
    private static final int EALREADY = 114;

    /** Null when the library loaded. */
    private static final Throwable UNAVAILABILITY_CAUSE;
    /** Guarded by Spdk.class: the options the environment was set up with, or null. */
    private static SpdkEnvOptions envOptions;
    private static boolean envPci;
    private static IOException envFailure;

    static {
        Throwable cause = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment jvmHandler = SigbusHandler.save(arena);
            try {
                SpdkShim.load();
            } finally {
                SigbusHandler.restore(jvmHandler);
            }
        } catch (Throwable t) { // ExceptionInInitializerError, UnsatisfiedLinkError, NoClassDefFoundError
            cause = t instanceof ExceptionInInitializerError e && e.getCause() != null ? e.getCause() : t;
        }
        UNAVAILABILITY_CAUSE = cause;
        if (cause != null) {
            LOG.debug("jxrp SPDK shim unavailable", cause);
        }
    }

    private Spdk() {}

    /** True when {@code libjxrp_spdk.so} (and the SPDK libraries it links) loaded. */
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
            throw new UnsupportedOperationException("jxrp SPDK shim unavailable (libjxrp_spdk.so is built only where"
                    + " SPDK is found: SPDK_DIR or pkg-config spdk_nvme): " + UNAVAILABILITY_CAUSE,
                    UNAVAILABILITY_CAUSE);
        }
    }

    /**
     * Sets up SPDK's environment with {@code options} unless it already is. Once set up, it stays
     * for the life of the process: a later call with other options is an error.
     *
     * @throws IOException DPDK refused (its reason is on stderr; often too little memory, or hugepages)
     * @throws IllegalStateException already set up with different options
     */
    public static synchronized void initEnv(SpdkEnvOptions options) throws IOException {
        initEnv(options, options.pci() == SpdkEnvOptions.Mode.ON);
    }

    /**
     * Sets up the environment from {@link SpdkEnvOptions#fromSystemProperties()} unless it already
     * is; {@code needsPci} is whether the controller about to connect is a PCIe one.
     *
     * @throws IOException DPDK refused, or the environment runs without PCI and a PCIe
     *     controller is wanted
     */
    static synchronized void ensureEnv(boolean needsPci) throws IOException {
        if (envOptions == null && envFailure == null) {
            SpdkEnvOptions options = SpdkEnvOptions.fromSystemProperties();
            initEnv(options, options.pci() == SpdkEnvOptions.Mode.ON
                    || (options.pci() == SpdkEnvOptions.Mode.AUTO && needsPci));
        }
        if (envFailure != null) {
            throw new IOException(envFailure.getMessage(), envFailure);
        }
        if (needsPci && !envPci) {
            throw new IOException("the SPDK environment of this process was set up without PCI (" + envOptions
                    + "), so a PCIe controller cannot be used; it is set up once per process: "
                    + "start with -Djxrp.spdk.pci=on");
        }
    }

    private static void initEnv(SpdkEnvOptions options, boolean pci) throws IOException {
        ensureAvailable();
        if (envOptions != null) {
            if (!envOptions.equals(options)) {
                throw new IllegalStateException("the SPDK environment is already set up with " + envOptions
                        + " (once per process); cannot switch to " + options);
            }
            return;
        }
        if (envFailure != null) {
            throw new IOException(envFailure.getMessage(), envFailure);
        }
        int hugepages = switch (options.hugepages()) {
            case AUTO -> -1;
            case ON -> 1;
            case OFF -> 0;
        };
        int rc = SpdkShim.jxrp_spdk_env_init(hugepages, options.memSizeMb(), pci ? 0 : 1, options.lcoreMap());
        if (rc < 0 && rc != -EALREADY) {
            envFailure = SpdkErrors.ioException("SPDK environment set-up with " + options + (pci ? "" : ", no PCI"),
                    null, rc, "DPDK's reason is on stderr; without hugepages it needs -Djxrp.spdk.memSizeMb"
                            + " large enough for the buffer slabs");
            throw envFailure;
        }
        envOptions = options;
        envPci = pci;
        LOG.debug("SPDK environment set up: {}, {}", SpdkShim.jxrp_spdk_env_hugepages() == 1 ? "hugepages"
                : "no hugepages (" + options.memSizeMb() + " MiB)", pci ? "PCI probed" : "no PCI");
    }

    /** True once the environment is set up and runs on hugepages. */
    public static synchronized boolean hugepages() {
        return envOptions != null && SpdkShim.jxrp_spdk_env_hugepages() == 1;
    }

    /** The options the environment was set up with, or null when it is not (yet). */
    public static synchronized SpdkEnvOptions envOptions() {
        return envOptions;
    }
}
