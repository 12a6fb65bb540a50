package io.jxrp.bpfkv;

import io.jxrp.engine.BackendKind;

/** The BpfKv contract on an engine of two java-backend reactors. */
class JavaTwoReactorsBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        BpfKvOptions java = engineOptions(BackendKind.JAVA);
        return java.withEngine(java.engine().withReactors(2));
    }
}
