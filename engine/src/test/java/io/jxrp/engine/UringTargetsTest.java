package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;

class UringTargetsTest extends TargetsContractTest {
    @Override
    protected IoBackend backend() {
        return TestBackends.uring();
    }
}
