package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.DigestKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.TargetSpec;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** The options every command that opens a database shares. */
final class DatabaseOptions {
    /** Engine reactor threads at most (EngineOptions' limit). */
    static final int MAX_REACTORS = 64;

    @Parameters(index = "0", paramLabel = "DB", description = {"the database: a file, or an NVMe namespace that holds it",
            "from offset 0: a raw block device (/dev/nvmeXnY, a partition, auto: passthru) or",
            "spdk:<transport ID> [ns:N] (engine mode, spdk backend)"})
    String target;

    @Option(names = {"-l", "--layers"}, paramLabel = "L", defaultValue = "0",
            description = "expected layers, 1..10 (default: from a file's size; on a namespace or raw device, by descending from the root)")
    int layers;

    @Option(names = "--cache", paramLabel = "N", defaultValue = "0", description = "top index levels cached in memory, 0..3 (default ${DEFAULT-VALUE})")
    int cacheLevels;

    @Option(names = "--mode", paramLabel = "engine|pread", defaultValue = "engine",
            description = "engine: requests through the resubmission engine; pread: the synchronous read() baseline (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--backend", paramLabel = "auto|uring|java|passthru|spdk", defaultValue = "auto",
            description = {"engine I/O backend; auto: spdk for an spdk: namespace, passthru (NVMe commands on /dev/ngXnY)",
                    "for an NVMe namespace of this kernel or a file read with --digest fiemap on one (default ${DEFAULT-VALUE})"})
    String backend;

    @Option(names = "--digest", paramLabel = "identity|fiemap", defaultValue = "identity",
            description = {"identity: read a file through its file system; fiemap: read its extents on the disk under it,",
                    "bypassing the file system (root) (default ${DEFAULT-VALUE})"})
    String digest;

    @Option(names = "--reactors", paramLabel = "N",
            description = "engine reactor threads, 1..64, one io_uring each (default 1; get --requests: one per --threads)")
    Integer reactors;

    @Option(names = "--function", paramLabel = "java|bpf", defaultValue = "java",
            description = "storage functions the engine runs: java, or bpf (the eBPF programs of bpfkv/src/main/bpf) (default ${DEFAULT-VALUE})")
    String function;

    @Option(names = "--bpf-exec", paramLabel = "jit|interp", defaultValue = "jit",
            description = "how --function bpf runs: jit (compiled to JVM bytecode) or interp (default ${DEFAULT-VALUE})")
    String bpfExec;

    @Option(names = "--checksums", paramLabel = "auto|require|off", defaultValue = "auto",
            description = "verify every block against the checksum sidecar FILE.crc32c: auto (when there is one), "
                    + "require, off (default ${DEFAULT-VALUE})")
    String checksums;

    /** Every option's value, checked before anything runs. */
    void validate(CommandSpec spec) {
        Arguments.range(spec, "--layers", layers, 0, TreeLayout.MAX_LAYERS);
        Arguments.range(spec, "--cache", cacheLevels, 0, BpfKvOptions.MAX_CACHE_LEVELS);
        if (reactors != null) {
            Arguments.range(spec, "--reactors", reactors, 1, MAX_REACTORS);
        }
        parseMode(spec);
        parseChecksums(spec);
        try {
            TargetSpec.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            BackendKind.parse(backend);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--backend: " + e.getMessage());
        }
        try {
            DigestKind.parse(digest);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--digest: " + e.getMessage());
        }
        if (!function.equalsIgnoreCase("java") && !function.equalsIgnoreCase("bpf")) {
            throw new ParameterException(spec.commandLine(), "--function must be java or bpf, not '" + function + "'");
        }
        try {
            BpfFunctions.parseMode(bpfExec);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private BpfKvOptions.Mode parseMode(CommandSpec spec) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "engine" -> BpfKvOptions.Mode.ENGINE;
            case "pread" -> BpfKvOptions.Mode.PREAD;
            default -> throw new ParameterException(spec.commandLine(), "--mode must be engine or pread, not '" + mode + "'");
        };
    }

    private BpfKvOptions.Checksums parseChecksums(CommandSpec spec) {
        return switch (checksums.toLowerCase(Locale.ROOT)) {
            case "auto" -> BpfKvOptions.Checksums.AUTO;
            case "require" -> BpfKvOptions.Checksums.REQUIRE;
            case "off" -> BpfKvOptions.Checksums.OFF;
            default -> throw new ParameterException(spec.commandLine(), "--checksums must be auto, require or off, not '"
                    + checksums + "'");
        };
    }

    BpfKvOptions options(CommandSpec spec) {
        validate(spec);
        EngineOptions engine = EngineOptions.defaults().withBackend(BackendKind.parse(backend)).withDigest(DigestKind.parse(digest))
                .withReactors(reactors == null ? 1 : reactors);
        return BpfKvOptions.defaults().withLayers(layers).withCacheLevels(cacheLevels).withMode(parseMode(spec)).withEngine(engine)
                .withFunctions(functions()).withChecksums(parseChecksums(spec));
    }

    private StorageFunctions.Factory functions() {
        ExecutionMode execution = BpfFunctions.parseMode(bpfExec);
        if (function.equalsIgnoreCase("bpf")) {
            if (!BpfFunctions.isAvailable()) {
                throw new UnsupportedOperationException("--function bpf: " + BpfFunctions.unavailabilityCause());
            }
            return BpfFunctions.factory(execution);
        }
        return StorageFunctions.Factory.JAVA;
    }

    /** The functions in words: java, or bpf/jit, bpf/interp. */
    String describeFunctions() {
        return function.equalsIgnoreCase("bpf") ? "bpf/" + bpfExec.toLowerCase(Locale.ROOT) : "java";
    }

    /** The database file (the writing commands take files only: a namespace's database is read-only here). */
    java.nio.file.Path file() {
        TargetSpec spec = TargetSpec.parse(target);
        if (spec.isSpdk()) {
            throw new IllegalArgumentException(target + ": a database on a namespace is read-only here; put, delete "
                    + "and compact work on database files");
        }
        return spec.path();
    }

    /** The database: a file or a namespace. */
    TargetSpec spec() {
        return TargetSpec.parse(target);
    }

    BpfKv open(CommandSpec spec) throws IOException {
        return open(options(spec));
    }

    BpfKv open(BpfKvOptions options) throws IOException {
        return BpfKv.open(spec(), options);
    }

    String describe(BpfKv db) {
        return "mode " + db.options().mode().name().toLowerCase(Locale.ROOT) + ", backend " + db.backendDescription()
                + (db.options().mode() == BpfKvOptions.Mode.ENGINE ? ", functions " + describeFunctions()
                        + ", " + db.options().engine().reactors() + " reactor" + (db.options().engine().reactors() == 1 ? "" : "s") : "")
                + (db.checksumSidecar().isPresent() ? ", checksums verified" : "");
    }
}
