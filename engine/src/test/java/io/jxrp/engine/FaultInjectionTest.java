package io.jxrp.engine;

import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jxrp.engine.backend.JavaBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Read errors, short reads and corrupt blocks injected under a real engine on the java backend. */
class FaultInjectionTest {
    private ChainFile chain;
    private FaultInjectingBackend faulty;
    private ResubmissionEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        long seed = TestFiles.seed();
        System.out.println("FaultInjectionTest seed " + seed);
        chain = ChainFile.create(TestFiles.dir().resolve("faults.bin"), 1024, seed);
        faulty = new FaultInjectingBackend(new JavaBackend(4));
        engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults(), faulty);
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    /** The record the chain from 0 reaches after {@code hops} hops. */
    private long recordAfter(int hops) {
        return chain.expect(0, hops)[1];
    }

    /**
     * The first hop at or after {@code min} whose 4 KiB block no earlier hop touched: a backend may
     * read whole 4 KiB blocks, and a fault must hit exactly that hop.
     */
    private int freshHop(int min) {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int h = 0; ; h++) {
            long block = recordAfter(h) * ChainFile.RECORD / 4096;
            if (h >= min && !seen.contains(block)) {
                return h;
            }
            seen.add(block);
        }
    }

    @Test
    void readErrorEndsTheRequestWithIoError() throws Exception {
        int hop = freshHop(3);
        faulty.inject(recordAfter(hop) * ChainFile.RECORD, new FaultInjectingBackend.Fault.Fail(5));
        XrpResult<long[]> r = engine.execute(ChainFunctions.chase(0, hop + 5));
        assertEquals(Outcome.IO_ERROR, r.outcome());
        assertEquals(-5, r.detail(), "-EIO");
        assertEquals(hop, r.hops(), "the hops before the failing read completed");
        faulty.clear();
        assertEquals(Outcome.OK, engine.execute(ChainFunctions.chase(0, 10)).outcome(), "the engine goes on");
    }

    @Test
    void shortReadIsAnIoError() throws Exception {
        int hop = freshHop(2);
        faulty.inject(recordAfter(hop) * ChainFile.RECORD, new FaultInjectingBackend.Fault.Short(100));
        XrpResult<long[]> r = engine.execute(ChainFunctions.chase(0, hop + 5));
        assertEquals(Outcome.IO_ERROR, r.outcome());
        assertEquals(recordAfter(hop) * ChainFile.RECORD, r.detail());
    }

    @Test
    void corruptBlockReachesTheFunctionWhichCanRefuseIt() throws Exception {
        long bad = recordAfter(freshHop(1)) * ChainFile.RECORD;
        faulty.inject(bad, new FaultInjectingBackend.Fault.Corrupt());
        // a function that validates its block (the fill pattern of word 2) reports a function error
        StorageFunction checking = ctx -> {
            long index = ctx.curAddr() / ChainFile.RECORD;
            if (ctx.data().get(ChainFunctions.U64, 16) != index * 1_000_003L + 2) {
                return 99;
            }
            return ChainFunctions.CHASE.apply(ctx);
        };
        XrpResult<long[]> r = engine.execute(XrpRequest.of(checking, 0, ChainFile.RECORD, ChainFunctions::answer)
                .withScratch(s -> s.set(ChainFunctions.U64, ChainFunctions.REMAINING, 5)));
        assertEquals(Outcome.FUNCTION_ERROR, r.outcome());
        assertEquals(99, r.detail());
        XrpResult<long[]> blind = engine.execute(ChainFunctions.chase(0, 5));
        assertNotEquals(chain.expect(0, 5)[0], blind.value()[0], "an unchecking function sees the corrupt bytes");
    }
}
