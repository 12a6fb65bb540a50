package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;

class UringBackendEngineTest extends EngineContractTest {
    @Override
    protected IoBackend backend() {
        return TestBackends.uring();
    }
}
