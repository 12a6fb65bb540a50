package io.jxrp.bpfkv;

/** BpfKv on spdk, Java functions, the databases created on malloc namespaces through the engine. */
class SpdkMallocBpfKvTest extends SpdkBpfKvContractTest {
    @Override
    protected Kind kind() {
        return Kind.MALLOC;
    }
}
