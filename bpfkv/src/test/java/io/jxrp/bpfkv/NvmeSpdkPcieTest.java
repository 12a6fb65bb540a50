package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetOptions;
import io.jxrp.engine.TargetSpec;
import io.jxrp.engine.XrpResult;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPDK's PCIe transport against a real NVMe driver contract: the guest suite's SPDK part binds an
 * emulated NVMe controller to vfio-pci behind QEMU's emulated IOMMU (uio_pci_generic where vfio
 * cannot take it) and names its PCI address in {@value #ADDRESS_ENV}. The engine writes and chases a
 * chain image through SPDK's driver, and BPF-KV creates a database on the namespace through it and
 * answers the model checks.
 */
@Tag("nvme")
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class NvmeSpdkPcieTest {
    static final String ADDRESS_ENV = "JXRP_TEST_SPDK_PCIE";
    private static final int RECORDS = 8192;

    private static TargetSpec namespace() {
        String address = System.getenv(ADDRESS_ENV);
        if (address == null || address.isBlank()) {
            throw new IllegalStateException(ADDRESS_ENV + " names no PCI address: this test runs in the SPDK part of "
                    + "scripts/guest-suite, which binds a controller to vfio-pci and sets it");
        }
        return TargetSpec.parse("spdk:trtype:PCIe traddr:" + address.strip() + " ns:1");
    }

    @Test
    void theEngineWritesAndChasesThroughSpdksPcieDriver() throws Exception {
        long seed = Model.seed();
        TargetSpec spec = namespace();
        Path scratch = Files.createTempFile("chain", ".bin");
        try (ResubmissionEngine engine = ResubmissionEngine.open(EngineOptions.defaults().withQueueDepth(64)
                .withMaxInflightRequests(64));
             Arena arena = Arena.ofShared()) {
            ChainFile chain = ChainFile.create(scratch, RECORDS, seed);
            byte[] image = Files.readAllBytes(scratch);
            Target target = engine.addTarget(spec, TargetOptions.defaults().withWritable(true));
            System.out.println(spec + ": " + target.backendName() + " (" + target.backendReason() + ")");
            assertEquals("spdk", target.backendName(), target.backendReason());
            MemorySegment data = arena.allocate(image.length, 4096);
            MemorySegment.copy(MemorySegment.ofArray(image), 0, data, 0, image.length);
            engine.write(target, 0, data).get(300, TimeUnit.SECONDS);
            engine.flush(target).get(60, TimeUnit.SECONDS);
            Random rnd = new Random(seed);
            List<CompletableFuture<XrpResult<long[]>>> futures = new ArrayList<>();
            List<int[]> asked = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int start = rnd.nextInt(RECORDS);
                int hops = 1 + rnd.nextInt(30);
                futures.add(engine.submit(ChainFunctions.chase(start, hops).withTarget(target)));
                asked.add(new int[] {start, hops});
            }
            for (int i = 0; i < futures.size(); i++) {
                XrpResult<long[]> r = futures.get(i).get(300, TimeUnit.SECONDS);
                long[] want = chain.expect(asked.get(i)[0], asked.get(i)[1]);
                assertEquals(Outcome.OK, r.outcome(), "chain " + i + " seed " + seed);
                assertArrayEquals(new long[] {want[0], want[1], asked.get(i)[1]}, r.value(), "chain " + i + " seed " + seed);
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    @Test
    void bpfKvOnTheNamespaceMatchesTheModel() throws Exception {
        long seed = Model.seed();
        TargetSpec spec = namespace();
        DbBuilder.create(spec, 3, DbBuilder.Options.defaults().withForce(true));
        try (BpfKv db = BpfKv.open(spec, BpfKvOptions.defaults().withEngine(EngineOptions.defaults().withQueueDepth(64)
                .withMaxInflightRequests(64)))) {
            String what = spec + " (" + db.backendDescription() + ") seed " + seed;
            System.out.println(what);
            assertTrue(db.backendDescription().startsWith("spdk "), db.backendDescription());
            BpfKvContractTest.checkAgainstTheModel(db, 3, new Random(seed), what);
            assertEquals(Map.of(), db.stats().fallbacks(), what + ": " + db.stats());
        }
    }
}
