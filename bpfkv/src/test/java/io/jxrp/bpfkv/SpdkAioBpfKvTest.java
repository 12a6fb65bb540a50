package io.jxrp.bpfkv;

/** BpfKv on spdk, Java functions, the databases on aio namespaces over the files {@code create} wrote. */
class SpdkAioBpfKvTest extends SpdkBpfKvContractTest {
    @Override
    protected Kind kind() {
        return Kind.AIO;
    }
}
