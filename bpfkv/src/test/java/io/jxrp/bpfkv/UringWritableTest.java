package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.TestBackends;

class UringWritableTest extends WritableContractTest {
    @Override
    protected BpfKvOptions options() {
        TestBackends.requireUring();
        return engineOptions(BackendKind.URING);
    }
}
