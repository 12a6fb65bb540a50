package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;

class JavaBackendBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        return engineOptions(BackendKind.JAVA);
    }
}
