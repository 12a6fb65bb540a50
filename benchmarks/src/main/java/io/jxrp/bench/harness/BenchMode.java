package io.jxrp.bench.harness;

import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.engine.BackendKind;
import java.util.Locale;

/** What serves a lookup: the engine on one of its backends, or the synchronous pread baseline. */
enum BenchMode {
    /** The engine on the io_uring shim. */
    URING("uring", BpfKvOptions.Mode.ENGINE, BackendKind.URING),
    /**
     * The engine on NVMe passthrough (NVMe commands on the namespace's generic device); with
     * {@code --digest fiemap}, on a database file on a file system on an NVMe namespace.
     */
    PASSTHRU("passthru", BpfKvOptions.Mode.ENGINE, BackendKind.PASSTHRU),
    /** The engine on the portable FileChannel backend. */
    JAVA("java", BpfKvOptions.Mode.ENGINE, BackendKind.JAVA),
    /** The engine on SPDK's NVMe driver, reading the namespace {@code --spdk-target} names. */
    SPDK("spdk", BpfKvOptions.Mode.ENGINE, BackendKind.SPDK),
    /** One synchronous O_DIRECT pread per node: XRP's read() baseline. */
    PREAD("pread", BpfKvOptions.Mode.PREAD, BackendKind.AUTO);

    final String cliName;
    final BpfKvOptions.Mode dbMode;
    final BackendKind backend;

    BenchMode(String cliName, BpfKvOptions.Mode dbMode, BackendKind backend) {
        this.cliName = cliName;
        this.dbMode = dbMode;
        this.backend = backend;
    }

    boolean engine() {
        return dbMode == BpfKvOptions.Mode.ENGINE;
    }

    static BenchMode parse(String name) {
        for (BenchMode m : values()) {
            if (m.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + name + "' (uring, passthru, java, spdk, pread)");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
