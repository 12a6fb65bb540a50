package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.TestBackends;

/** The BpfKv contract on an engine of three io_uring reactors: the same answers, each closed loop on its reactor. */
class UringThreeReactorsBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        TestBackends.requireUring();
        BpfKvOptions uring = engineOptions(BackendKind.URING);
        return uring.withEngine(uring.engine().withReactors(3));
    }
}
