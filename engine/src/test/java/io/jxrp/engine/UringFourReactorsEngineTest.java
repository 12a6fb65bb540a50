package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;

/** The engine contract with four reactors on io_uring: requests spread over reactors, answers still the model's. */
class UringFourReactorsEngineTest extends EngineContractTest {
    @Override
    protected IoBackend backend() {
        return TestBackends.uring();
    }

    @Override
    protected EngineOptions options() {
        return super.options().withReactors(4);
    }
}
