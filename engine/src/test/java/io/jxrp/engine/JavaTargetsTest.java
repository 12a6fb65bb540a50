package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.JavaBackend;

class JavaTargetsTest extends TargetsContractTest {
    @Override
    protected IoBackend backend() {
        return new JavaBackend(8);
    }
}
