package io.jxrp.ebpf;

class InterpreterFaultTest extends FaultContract {
    @Override
    ExecutionMode mode() {
        return ExecutionMode.INTERPRETER;
    }
}
