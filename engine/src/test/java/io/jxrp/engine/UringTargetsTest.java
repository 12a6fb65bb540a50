package io.jxrp.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.UringBackend;

class UringTargetsTest extends TargetsContractTest {
    @Override
    protected IoBackend backend() {
        assumeTrue(UringBackend.unavailabilityCause() == null,
                () -> "io_uring shim unavailable: " + UringBackend.unavailabilityCause());
        return new UringBackend();
    }
}
