package io.jxrp.bpfkv;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.ebpf.ExecutionMode;

/** BpfKv on spdk with the eBPF programs (JIT) as the storage functions, the databases created on malloc namespaces. */
class SpdkMallocBpfFunctionsBpfKvTest extends SpdkBpfKvContractTest {
    @Override
    protected Kind kind() {
        return Kind.MALLOC;
    }

    @Override
    protected BpfKvOptions withFunctions(BpfKvOptions options) {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(),
                () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        return options.withFunctions(BpfFunctions.factory(ExecutionMode.JIT));
    }
}
