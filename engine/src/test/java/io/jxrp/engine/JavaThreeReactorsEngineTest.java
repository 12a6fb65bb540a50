package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;

/** The engine contract with three reactors on the java backend. */
class JavaThreeReactorsEngineTest extends EngineContractTest {
    @Override
    protected IoBackend backend() {
        return new JavaBackend(4);
    }

    @Override
    protected EngineOptions options() {
        return super.options().withReactors(3);
    }
}
