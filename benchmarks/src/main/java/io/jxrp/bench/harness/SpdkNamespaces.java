package io.jxrp.bench.harness;

import io.jxrp.engine.TargetSpec;
import io.jxrp.nvme.spdk.NvmfTarget;
import io.jxrp.nvme.spdk.SpdkInstall;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaces spdk mode reads: one given namespace ({@code --spdk-target}) for every layer count,
 * or, served by the harness ({@code --spdk-serve}), an nvmf_tgt on 127.0.0.1 exporting each database
 * file as an aio namespace, so spdk mode reads the very bytes the other modes read from the file.
 */
final class SpdkNamespaces implements AutoCloseable {
    private final NvmfTarget served;
    private final Map<Integer, TargetSpec> byLayers;
    private final TargetSpec single;

    private SpdkNamespaces(NvmfTarget served, Map<Integer, TargetSpec> byLayers, TargetSpec single) {
        this.served = served;
        this.byLayers = byLayers;
        this.single = single;
    }

    static SpdkNamespaces given(TargetSpec namespace) {
        return new SpdkNamespaces(null, Map.of(), namespace);
    }

    /**
     * Starts nvmf_tgt with one aio namespace per database (in the order of {@code databases}), its
     * reactor on the last CPU.
     */
    static SpdkNamespaces serve(Map<Integer, Path> databases, Path workDir, boolean interruptMode, PrintStream log)
            throws IOException {
        SpdkInstall install = SpdkInstall.find().orElseThrow(() -> new IOException("no SPDK installation with nvmf_tgt"
                + " in " + SpdkInstall.candidates() + " (set SPDK_DIR)"));
        List<NvmfTarget.Export> exports = new ArrayList<>();
        for (Map.Entry<Integer, Path> e : databases.entrySet()) {
            exports.add(new NvmfTarget.Aio("L" + e.getKey(), e.getValue().toAbsolutePath(), 512));
        }
        int core = Runtime.getRuntime().availableProcessors() - 1;
        NvmfTarget target = NvmfTarget.start(install, workDir, exports, interruptMode, Math.min(core, 63));
        Map<Integer, TargetSpec> byLayers = new LinkedHashMap<>();
        for (Integer layers : databases.keySet()) {
            byLayers.put(layers, TargetSpec.parse(target.namespace("L" + layers).toString()));
        }
        log.printf("serving the databases over NVMe/TCP: %s (%s, reactor on CPU %d), log %s%n", target,
                interruptMode ? "interrupt mode" : "polling", core, target.log());
        return new SpdkNamespaces(target, byLayers, null);
    }

    /** The namespace that holds (or, with --spdk-create, will hold) the database of {@code layers} layers. */
    TargetSpec holding(int layers) {
        return single != null ? single : byLayers.get(layers);
    }

    /** Where the device limit is measured: the given namespace, or the first database's. */
    TargetSpec primary() {
        return single != null ? single : byLayers.values().iterator().next();
    }

    /** How the namespaces came about, for the manifest. */
    String served() {
        return served == null ? "given (--spdk-target)" : "nvmf_tgt started by the harness: " + served;
    }

    @Override
    public void close() {
        if (served != null) {
            served.close();
        }
    }
}
