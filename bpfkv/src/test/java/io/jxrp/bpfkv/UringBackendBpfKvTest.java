package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.backend.UringBackend;

class UringBackendBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        assumeTrue(UringBackend.unavailabilityCause() == null,
                () -> "io_uring shim unavailable: " + UringBackend.unavailabilityCause());
        return engineOptions(BackendKind.URING);
    }
}
