package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.SpdkBackend;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import io.jxrp.nvme.spdk.NvmfTarget;
import io.jxrp.nvme.spdk.SpdkInstall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The engine contract on the {@code spdk} backend: every file the suite uses is exported by its own
 * nvmf_tgt (127.0.0.1, no hugepages) as an aio namespace, and the engine reads the namespace over
 * NVMe/TCP. Plus the fault case: the target killed mid-run.
 */
class SpdkBackendEngineTest extends EngineContractTest {
    private final Map<Path, NvmfTarget> targets = new HashMap<>();

    @Override
    protected IoBackend backend() {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, reason);
        return new SpdkBackend();
    }

    @Override
    protected ResubmissionEngine open(Path file, EngineOptions options) throws Exception {
        IoBackend backend = backend();
        return ResubmissionEngine.open(TargetSpec.parse(export(file).namespace(1).toString()), options, backend);
    }

    private synchronized NvmfTarget export(Path file) throws IOException {
        NvmfTarget target = targets.get(file);
        if (target == null) {
            if (!Files.isRegularFile(file)) {
                throw new IOException(file + ": no such file to export");
            }
            target = NvmfTarget.start(SpdkInstall.find().orElseThrow(), file.resolveSibling(file.getFileName() + ".tgt"),
                    List.of(new NvmfTarget.Aio("Aio0", file, 512)), true);
            targets.put(file, target);
        }
        return target;
    }

    @AfterAll
    void stopTargets() {
        targets.values().forEach(NvmfTarget::close);
    }

    @Test
    void autoServesANamespaceWithSpdk() throws Exception {
        backend();
        TargetSpec spec = TargetSpec.parse(export(chain.path).namespace(1).toString());
        try (ResubmissionEngine auto = ResubmissionEngine.open(spec, options())) {
            assertEquals("spdk", auto.backendName());
            assertTrue(auto.backendReason().contains("SPDK"), auto.backendReason());
            XrpResult<long[]> r = auto.execute(ChainFunctions.chase(3, 20));
            long[] want = chain.expect(3, 20);
            assertEquals(Outcome.OK, r.outcome());
            assertEquals(want[0], r.value()[0]);
        }
    }

    @Test
    void targetKilledMidRunEndsRequestsWithIoErrorAndCloseCompletesEveryFuture() throws Exception {
        ChainFile victim = ChainFile.create(file("victim.bin"), RECORDS, 5);
        NvmfTarget target = export(victim.path);
        ResubmissionEngine e = open(victim.path, options());
        List<CompletableFuture<XrpResult<long[]>>> before = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            before.add(e.submit(ChainFunctions.chase(i, 200)));
        }
        target.kill();
        List<CompletableFuture<XrpResult<long[]>>> after = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            after.add(e.submit(ChainFunctions.chase(i, 50)));
        }
        int ioErrors = 0;
        for (CompletableFuture<XrpResult<long[]>> f : after) {
            XrpResult<long[]> r = f.get(60, TimeUnit.SECONDS);
            assertEquals(Outcome.IO_ERROR, r.outcome(), "a request after the kill: " + r);
            ioErrors++;
        }
        for (CompletableFuture<XrpResult<long[]>> f : before) {
            XrpResult<long[]> r = f.get(60, TimeUnit.SECONDS);
            assertTrue(r.outcome() == Outcome.OK || r.outcome() == Outcome.IO_ERROR, "before the kill: " + r);
        }
        assertEquals(64, ioErrors);
        CompletableFuture<XrpResult<long[]>> late = e.submit(ChainFunctions.chase(1, 10));
        e.close();
        assertTrue(late.isDone(), "close left a future incomplete");
    }
}
