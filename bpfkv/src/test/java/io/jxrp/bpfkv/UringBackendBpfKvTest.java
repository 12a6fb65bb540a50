package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.TestBackends;

class UringBackendBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        TestBackends.requireUring();
        return engineOptions(BackendKind.URING);
    }
}
