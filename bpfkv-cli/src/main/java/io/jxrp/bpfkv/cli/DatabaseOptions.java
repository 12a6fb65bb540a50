package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that opens a database shares. */
final class DatabaseOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "the database file")
    Path file;

    @Option(names = {"-l", "--layers"}, paramLabel = "L", defaultValue = "0", description = "expected layers (default: from the size)")
    int layers;

    @Option(names = "--cache", paramLabel = "N", defaultValue = "0", description = "top index levels cached in memory, 0..3 (default ${DEFAULT-VALUE})")
    int cacheLevels;

    @Option(names = "--mode", paramLabel = "engine|pread", defaultValue = "engine",
            description = "engine: requests through the resubmission engine; pread: the synchronous read() baseline (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--backend", paramLabel = "auto|uring|java", defaultValue = "auto", description = "engine I/O backend (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--reactors", paramLabel = "N",
            description = "engine reactor threads, one io_uring each (default 1; get --requests: one per --threads)")
    Integer reactors;

    @Option(names = "--function", paramLabel = "java|bpf", defaultValue = "java",
            description = "storage functions the engine runs: java, or bpf (the eBPF programs of bpfkv/src/main/bpf) (default ${DEFAULT-VALUE})")
    String function;

    @Option(names = "--bpf-exec", paramLabel = "jit|interp", defaultValue = "jit",
            description = "how --function bpf runs: jit (compiled to JVM bytecode) or interp (default ${DEFAULT-VALUE})")
    String bpfExec;

    BpfKvOptions options() {
        BpfKvOptions.Mode parsedMode = switch (mode.toLowerCase(java.util.Locale.ROOT)) {
            case "engine" -> BpfKvOptions.Mode.ENGINE;
            case "pread" -> BpfKvOptions.Mode.PREAD;
            default -> throw new IllegalArgumentException("--mode must be engine or pread, not '" + mode + "'");
        };
        EngineOptions engine = EngineOptions.defaults().withBackend(BackendKind.parse(backend)).withReactors(reactors == null ? 1 : reactors);
        return BpfKvOptions.defaults().withLayers(layers).withCacheLevels(cacheLevels).withMode(parsedMode).withEngine(engine)
                .withFunctions(functions());
    }

    private StorageFunctions.Factory functions() {
        ExecutionMode execution = BpfFunctions.parseMode(bpfExec);
        return switch (function.toLowerCase(java.util.Locale.ROOT)) {
            case "java" -> StorageFunctions.Factory.JAVA;
            case "bpf" -> {
                if (!BpfFunctions.isAvailable()) {
                    throw new IllegalArgumentException("--function bpf: " + BpfFunctions.unavailabilityCause());
                }
                yield BpfFunctions.factory(execution);
            }
            default -> throw new IllegalArgumentException("--function must be java or bpf, not '" + function + "'");
        };
    }

    /** The functions in words: java, or bpf/jit, bpf/interp. */
    String describeFunctions() {
        return function.equalsIgnoreCase("bpf") ? "bpf/" + bpfExec.toLowerCase(java.util.Locale.ROOT) : "java";
    }

    BpfKv open() throws IOException {
        return BpfKv.open(file, options());
    }

    String describe(BpfKv db) {
        return "mode " + db.options().mode().name().toLowerCase(java.util.Locale.ROOT) + ", backend " + db.backendDescription()
                + (db.options().mode() == BpfKvOptions.Mode.ENGINE ? ", functions " + describeFunctions()
                        + ", " + db.options().engine().reactors() + " reactor(s)" : "");
    }
}
