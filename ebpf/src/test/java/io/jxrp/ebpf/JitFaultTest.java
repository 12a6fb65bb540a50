package io.jxrp.ebpf;

class JitFaultTest extends FaultContract {
    @Override
    ExecutionMode mode() {
        return ExecutionMode.JIT;
    }
}
