package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The reactor allocates per request (the result, the future's completion), never per hop: bytes
 * allocated on the reactor thread for chains of 60 hops match those for chains of 1 hop.
 */
class EngineAllocationTest {

    private static long reactorAllocatedBytes(com.sun.management.ThreadMXBean mx) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("jxrp-reactor-0")) {
                return mx.getThreadAllocatedBytes(t.threadId());
            }
        }
        throw new AssertionError("no reactor thread");
    }

    private static long bytesPerRequest(ResubmissionEngine engine, com.sun.management.ThreadMXBean mx, int hops)
            throws InterruptedException {
        int requests = 400;
        long before = reactorAllocatedBytes(mx);
        for (int i = 0; i < requests; i++) {
            XrpResult<long[]> r = engine.execute(ChainFunctions.chase(i % 1000, hops));
            assertEquals(Outcome.OK, r.outcome());
        }
        return (reactorAllocatedBytes(mx) - before) / requests;
    }

    @Test
    void noAllocationPerHop() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        ChainFile chain = ChainFile.create(TestFiles.dir().resolve("alloc.bin"), 1024, 1);
        IoBackend backend = TestBackends.uring(); // the hot path through the shim
        try (ResubmissionEngine engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults(), backend)) {
            for (int round = 0; round < 4; round++) { // warm up: JIT compilation, lazily built slices
                bytesPerRequest(engine, mx, 1);
                bytesPerRequest(engine, mx, 60);
            }
            long shortChains = bytesPerRequest(engine, mx, 1);
            long longChains = bytesPerRequest(engine, mx, 60);
            System.out.printf("reactor bytes per request: %d (1 hop), %d (60 hops)%n", shortChains, longChains);
            assertTrue(longChains - shortChains < 59, "59 extra hops allocated " + (longChains - shortChains)
                    + " bytes on the reactor thread (1 hop: " + shortChains + ", 60 hops: " + longChains + ")");
        }
    }
}
