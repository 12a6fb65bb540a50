package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.TreeLayout;

/** The Java storage functions under the storage-function contract. */
class JavaStorageFunctionTest extends StorageFunctionContractTest {
    @Override
    protected StorageFunctions functions(TreeLayout layout, long fileSizeBytes) {
        return StorageFunctions.java(layout, fileSizeBytes);
    }
}
