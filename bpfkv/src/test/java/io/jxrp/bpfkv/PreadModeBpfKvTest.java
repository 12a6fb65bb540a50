package io.jxrp.bpfkv;

class PreadModeBpfKvTest extends BpfKvContractTest {
    @Override
    protected BpfKvOptions options() {
        return BpfKvOptions.defaults().withMode(BpfKvOptions.Mode.PREAD);
    }
}
