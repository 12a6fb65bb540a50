package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;

class JavaWritableTest extends WritableContractTest {
    @Override
    protected BpfKvOptions options() {
        return engineOptions(BackendKind.JAVA);
    }
}
