package io.jxrp.ebpf;

class InterpreterElfProgramsTest extends ElfProgramsContract {
    @Override
    ExecutionMode mode() {
        return ExecutionMode.INTERPRETER;
    }
}
