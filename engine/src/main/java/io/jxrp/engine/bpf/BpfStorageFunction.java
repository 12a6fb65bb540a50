package io.jxrp.engine.bpf;

import io.jxrp.ebpf.BpfFault;
import io.jxrp.ebpf.BpfMachine;
import io.jxrp.ebpf.BpfProgram;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.ebpf.Region;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpContext;
import io.jxrp.engine.XrpContextDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An eBPF program as a {@link StorageFunction}: the program gets the context record as r1, with
 * {@code data} and {@code scratch} holding the virtual addresses at which the block and the scratch
 * page are bound. r0 is the function's return value; a fault (out-of-bounds access, instruction
 * budget, helper misuse) is a function error, logged with the pc and instruction, never a crash.
 *
 * <p>Each reactor thread gets its own {@link BpfMachine} (registers, stack, region table), so one
 * instance may serve every reactor; invocations do not allocate.
 */
public final class BpfStorageFunction implements StorageFunction {
    private static final Logger LOG = LoggerFactory.getLogger(BpfStorageFunction.class);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Returned for a faulting run: non-zero, and distinct from small program return codes. */
    public static final int FAULT = 0xBADBAD;

    private final BpfProgram program;
    private final ExecutionMode mode;
    private final long instructionBudget;
    private final ThreadLocal<BpfMachine> machines;
    /**
     * The machine of the thread that ran last: a reactor runs hop after hop, and a thread-local
     * lookup per hop costs about a third of a small function. Immutable, so a racing reader sees a
     * consistent pair and falls back to the thread-local when the thread is not its own.
     */
    private Owner last = new Owner(null, null);

    private record Owner(Thread thread, BpfMachine machine) {}
    private final AtomicLong faults = new AtomicLong();

    /**
     * @param program           a loaded, verified program
     * @param mode              interpreter or JIT
     * @param instructionBudget instructions per invocation before the run is stopped
     */
    public BpfStorageFunction(BpfProgram program, ExecutionMode mode, long instructionBudget) {
        this.program = Objects.requireNonNull(program, "program");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.instructionBudget = instructionBudget;
        if (mode == ExecutionMode.JIT) {
            program.compile(); // compile once up front rather than on a reactor thread
        }
        this.machines = ThreadLocal.withInitial(() -> new BpfMachine(mode, instructionBudget));
    }

    public BpfStorageFunction(BpfProgram program, ExecutionMode mode) {
        this(program, mode, BpfMachine.DEFAULT_BUDGET);
    }

    @Override
    public int apply(XrpContext ctx) {
        Owner owner = last;
        BpfMachine vm;
        if (owner.thread() == Thread.currentThread()) {
            vm = owner.machine();
        } else {
            vm = machines.get();
            last = new Owner(Thread.currentThread(), vm);
        }
        MemorySegment record = ctx.record();
        vm.bind(Region.CONTEXT, record);
        vm.bind(Region.DATA, ctx.data());
        vm.bind(Region.SCRATCH, ctx.scratch());
        record.set(U64, XrpContextDescriptor.DATA_OFFSET, vm.address(Region.DATA));
        record.set(U64, XrpContextDescriptor.SCRATCH_OFFSET, vm.address(Region.SCRATCH));
        try {
            long r0 = vm.run(program, vm.address(Region.CONTEXT));
            int rc = (int) r0;
            return r0 == 0 ? 0 : rc != 0 ? rc : 1; // any non-zero r0 is an error, even one with zero low bits
        } catch (BpfFault fault) {
            if (faults.getAndIncrement() < 10) {
                LOG.warn("eBPF storage function {} faulted at logical offset {}: {}", program.name(), ctx.curAddr(),
                        fault.getMessage());
            }
            return FAULT;
        }
    }

    public BpfProgram program() {
        return program;
    }

    public ExecutionMode mode() {
        return mode;
    }

    public long instructionBudget() {
        return instructionBudget;
    }

    /** Runs that ended in a fault so far. */
    public long faults() {
        return faults.get();
    }

    @Override
    public String toString() {
        return "bpf:" + program.name() + "(" + mode + ")";
    }
}
