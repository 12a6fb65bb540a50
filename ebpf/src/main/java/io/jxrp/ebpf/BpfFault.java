package io.jxrp.ebpf;

/**
 * A run of a program ended abnormally: an out-of-bounds or unmapped memory access, an exhausted
 * instruction budget, a bad helper call. Names the program counter, the instruction (disassembled)
 * and the reason. The machine that threw it stays usable.
 *
 * <p>Unchecked because it is thrown from generated code deep in the call chain; hosts catch it
 * around {@link BpfMachine#run}.
 */
public final class BpfFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for hosts that map faults to outcomes. */
    public enum Kind {
        /** Load or store outside any bound region, or past a region's end, or a write to read-only memory. */
        MEMORY,
        /** The instruction budget ran out. */
        BUDGET,
        /** A helper was called with invalid arguments or an unknown id (callx). */
        HELPER,
        /** Local calls nested deeper than the stack allows. */
        CALL_DEPTH
    }

    private final Kind kind;
    private final int pc;
    private final String instruction;
    private final String reason;

    public BpfFault(Kind kind, int pc, String instruction, String reason) {
        super("fault at pc " + pc + " (" + instruction + "): " + reason, null, false, false);
        this.kind = kind;
        this.pc = pc;
        this.instruction = instruction;
        this.reason = reason;
    }

    public Kind kind() { return kind; }

    /** Instruction index (slot number) in the linked program. */
    public int pc() { return pc; }

    /** The faulting instruction, disassembled. */
    public String instruction() { return instruction; }

    public String reason() { return reason; }
}
