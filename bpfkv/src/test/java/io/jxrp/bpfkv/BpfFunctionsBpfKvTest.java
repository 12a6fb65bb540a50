package io.jxrp.bpfkv;

import io.jxrp.bpfkv.function.BpfFunctions;

import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.BackendKind;

/** The BpfKv API with the eBPF programs (JIT) as the engine's storage functions, on the automatic backend. */
class BpfFunctionsBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        return engineOptions(BackendKind.AUTO).withFunctions(BpfFunctions.factory(ExecutionMode.JIT));
    }
}
