package io.jxrp.ebpf;

class InterpreterInstructionTest extends InstructionContract {
    @Override
    ExecutionMode mode() {
        return ExecutionMode.INTERPRETER;
    }
}
