package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.TreeLayout;

import io.jxrp.ebpf.ExecutionMode;
import java.io.IOException;

/** The eBPF programs, interpreted, under the storage-function contract. */
class BpfInterpreterStorageFunctionTest extends StorageFunctionContractTest {
    @Override
    protected StorageFunctions functions(TreeLayout layout, long fileSizeBytes) throws IOException {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        return BpfFunctions.factory(ExecutionMode.INTERPRETER).create(layout, fileSizeBytes);
    }
}
