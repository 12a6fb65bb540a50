package io.jxrp.bpfkv;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.BackendKind;
import io.jxrp.testing.Requirements;

/** Writes with the eBPF programs (JIT) serving the engine's lookups. */
class BpfFunctionsWritableTest extends WritableContractTest {
    @Override
    protected BpfKvOptions options() {
        Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        return engineOptions(BackendKind.AUTO).withFunctions(BpfFunctions.factory(ExecutionMode.JIT));
    }
}
