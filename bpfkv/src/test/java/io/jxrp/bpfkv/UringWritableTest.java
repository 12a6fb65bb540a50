package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.backend.UringBackend;

class UringWritableTest extends WritableContractTest {
    @Override
    protected BpfKvOptions options() {
        if (BackendKind.URING == BackendKind.URING) {
            assumeTrue(UringBackend.unavailabilityCause() == null,
                    () -> "io_uring shim unavailable: " + UringBackend.unavailabilityCause());
        }
        return engineOptions(BackendKind.URING);
    }
}
