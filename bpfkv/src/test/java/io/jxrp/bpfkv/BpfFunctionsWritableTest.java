package io.jxrp.bpfkv;

import io.jxrp.bpfkv.function.BpfFunctions;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.BackendKind;

/** Writes with the eBPF programs (JIT) serving the engine's lookups. */
class BpfFunctionsWritableTest extends WritableContractTest {
    @Override
    protected BpfKvOptions options() {
        assumeTrue(BpfFunctions.isAvailable(), () -> "skipped: " + BpfFunctions.unavailabilityCause());
        return engineOptions(BackendKind.AUTO).withFunctions(BpfFunctions.factory(ExecutionMode.JIT));
    }
}
