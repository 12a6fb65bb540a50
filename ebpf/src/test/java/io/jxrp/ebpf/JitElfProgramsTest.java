package io.jxrp.ebpf;

class JitElfProgramsTest extends ElfProgramsContract {
    @Override
    ExecutionMode mode() {
        return ExecutionMode.JIT;
    }
}
