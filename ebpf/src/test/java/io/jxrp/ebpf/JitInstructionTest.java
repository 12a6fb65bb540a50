package io.jxrp.ebpf;

class JitInstructionTest extends InstructionContract {
    @Override
    ExecutionMode mode() {
        return ExecutionMode.JIT;
    }
}
