package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;

/** Writes with the pread path serving the reads (the log still goes through the engine). */
class PreadWritableTest extends WritableContractTest {
    @Override
    protected BpfKvOptions options() {
        return engineOptions(BackendKind.AUTO).withMode(BpfKvOptions.Mode.PREAD);
    }
}
