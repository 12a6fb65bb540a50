package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
        assumeTrue(BpfFunctions.isAvailable(), () -> "skipped: " + BpfFunctions.unavailabilityCause());
        return options.withFunctions(BpfFunctions.factory(ExecutionMode.JIT));
    }
}
