package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jxrp.ebpf.BpfObject;
import io.jxrp.ebpf.BpfProgram;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.bpf.BpfStorageFunction;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A clang-compiled eBPF storage function (src/test/bpf/chain.c) driven by the engine, interpreted and
 * JIT-compiled, gives the Java function's answers; hostile programs end as function errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BpfFunctionEngineTest {
    private ChainFile chain;
    private ResubmissionEngine engine;
    private BpfObject object;

    @BeforeAll
    void setUp() throws Exception {
        Path obj = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf"), "chain.o");
        io.jxrp.testing.Requirements.requireBpfObject(obj);
        object = BpfObject.load(obj);
        long seed = TestFiles.seed();
        System.out.println("BpfFunctionEngineTest seed " + seed);
        chain = ChainFile.create(TestFiles.dir().resolve("bpf-chain.bin"), 2048, seed);
        IoBackend backend = TestBackends.uring();
        engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults(), backend);
    }

    @AfterAll
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    private BpfStorageFunction function(String name, ExecutionMode mode) {
        BpfProgram p = object.program(name).orElseThrow(() -> new AssertionError("no program " + name + " in " + object));
        return new BpfStorageFunction(p, mode, 100_000);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void chaseMatchesTheJavaFunctionAndTheModel(ExecutionMode mode) throws Exception {
        BpfStorageFunction fn = function("chase", mode);
        Random rnd = new Random(TestFiles.seed());
        for (int i = 0; i < 300; i++) {
            int start = rnd.nextInt(2048);
            int hops = 1 + rnd.nextInt(30);
            XrpRequest<long[]> java = ChainFunctions.chase(start, hops);
            XrpResult<long[]> viaJava = engine.execute(java);
            XrpResult<long[]> viaBpf = engine.execute(new XrpRequest<>(fn, java.offsets(), java.sizes(),
                    java.scratchInit(), java.reader(), java.hopBudget()));
            long[] want = chain.expect(start, hops);
            assertEquals(Outcome.OK, viaBpf.outcome(), "chain " + i);
            assertArrayEquals(new long[] {want[0], want[1], hops}, viaBpf.value(), "chain " + i);
            assertArrayEquals(viaJava.value(), viaBpf.value());
            assertEquals(viaJava.hops(), viaBpf.hops());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostileProgramsEndAsFunctionErrors(ExecutionMode mode) throws Exception {
        for (String name : new String[] {"out_of_bounds", "spin"}) {
            BpfStorageFunction fn = function(name, mode);
            XrpResult<long[]> r = engine.execute(XrpRequest.of(fn, 0, ChainFile.RECORD, ChainFunctions::answer));
            assertEquals(Outcome.FUNCTION_ERROR, r.outcome(), name);
            assertEquals(BpfStorageFunction.FAULT, r.detail(), name);
            assertEquals(1, fn.faults(), name);
        }
        assertEquals(Outcome.OK, engine.execute(ChainFunctions.chase(0, 5)).outcome(), "the engine goes on");
    }
}
