package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.DigestKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.nvme.NvmeTestNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BPF-KV's model checks on NVMe (the guest suite's controllers with 512 B and 4 KiB blocks): a
 * database on a raw namespace through uring and passthru, and a database file on ext4 on a namespace
 * (or a partition of one) through uring with either digest and through passthru with the FIEMAP
 * digest. No configuration may fall back to the pread path.
 */
@Tag("nvme")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class NvmeBpfKvTest {
    private static final int LAYERS = 3;
    /** Databases created in this run, by where they live: each is written once and read by every configuration. */
    private static final Map<Path, Path> CREATED = new HashMap<>();

    static Stream<Arguments> configurations() {
        Stream<Arguments> raw = NvmeTestNamespaces.raw().stream().flatMap(ns -> Stream.of(
                Arguments.of(ns, BackendKind.URING, DigestKind.IDENTITY),
                Arguments.of(ns, BackendKind.PASSTHRU, DigestKind.IDENTITY)));
        Stream<Arguments> files = NvmeTestNamespaces.fileSystems().stream().flatMap(dir -> Stream.of(
                Arguments.of(dir, BackendKind.URING, DigestKind.IDENTITY),
                Arguments.of(dir, BackendKind.URING, DigestKind.FIEMAP),
                Arguments.of(dir, BackendKind.PASSTHRU, DigestKind.FIEMAP)));
        return Stream.concat(raw, files);
    }

    /** The database for {@code where}: the raw namespace itself, or a file in the directory. */
    private static synchronized Path database(Path where) throws IOException {
        Path db = CREATED.get(where);
        if (db == null) {
            // a file gets its checksum sidecar (every block read is verified); a raw namespace is written as a
            // namespace (through an engine, root last) and keeps none
            db = Files.isDirectory(where) ? where.resolve("bpfkv-" + LAYERS + ".db") : where;
            DbBuilder.create(db, LAYERS, DbBuilder.Options.defaults().withForce(true));
            CREATED.put(where, db);
        }
        return db;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("configurations")
    void operationsMatchTheModel(Path where, BackendKind backend, DigestKind digest) throws Exception {
        long seed = Model.seed();
        Path file = database(where);
        BpfKvOptions options = BpfKvOptions.defaults().withEngine(EngineOptions.defaults()
                .withBackend(backend).withDigest(digest).withQueueDepth(64).withMaxInflightRequests(64));
        try (BpfKv db = BpfKv.open(file, options)) {
            String description = db.backendDescription();
            String what = file + " " + backend + " " + digest + " (" + description + ") seed " + seed;
            System.out.println(what);
            assertTrue(description.startsWith(backend.cliName() + " "), description);
            BpfKvContractTest.checkAgainstTheModel(db, LAYERS, new Random(seed), what);
            assertEquals(Map.of(), db.stats().fallbacks(), what + ": " + db.stats());
            assertTrue(db.stats().engineRequests() > 0, what);
        }
    }
}
