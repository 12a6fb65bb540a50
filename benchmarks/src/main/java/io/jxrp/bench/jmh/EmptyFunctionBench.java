package io.jxrp.bench.jmh;

import io.jxrp.ebpf.BpfProgram;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.FunctionRunner;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpContextDescriptor;
import io.jxrp.engine.bpf.BpfStorageFunction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a run costs apart from the function's own work: a storage function that only returns 0, as a
 * Java lambda and as the eBPF program {@code r0 = 0; exit} in the JIT and in the interpreter, run
 * through {@link FunctionRunner} on a new 512 B block each time (as the engine binds the block it just
 * read). For eBPF that is the adapter and the machine: binding the block, the context's pointers, the
 * stack, the call into the translation or the interpreter. {@link FunctionBench} minus this is a
 * function's own time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EmptyFunctionBench {
    private static final int BLOCKS = 256;
    /** {@code r0 = 0; exit}. */
    private static final byte[] RETURN_ZERO = {(byte) 0xb7, 0, 0, 0, 0, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0};

    /** java (a lambda), jit or interp (the eBPF program). */
    @Param({"java", "jit", "interp"})
    public String function;

    private Arena arena;
    private StorageFunction empty;
    private FunctionRunner ctx;
    private MemorySegment scratch;
    private MemorySegment[] blocks;

    @Setup
    public void open() throws Exception {
        empty = switch (function) {
            case "java" -> c -> 0;
            case "jit" -> new BpfStorageFunction(BpfProgram.fromBytes("return0", RETURN_ZERO, List.of()), ExecutionMode.JIT);
            case "interp" -> new BpfStorageFunction(BpfProgram.fromBytes("return0", RETURN_ZERO, List.of()),
                    ExecutionMode.INTERPRETER);
            default -> throw new IllegalArgumentException("function " + function);
        };
        arena = Arena.ofShared();
        ctx = new FunctionRunner();
        scratch = arena.allocate(XrpContextDescriptor.SCRATCH_SIZE, 4096);
        blocks = new MemorySegment[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            blocks[i] = arena.allocate(512, 512);
        }
    }

    @TearDown
    public void close() {
        ctx.close();
        arena.close();
    }

    /** One run per block. */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public long run() {
        long sum = 0;
        for (int i = 0; i < BLOCKS; i++) {
            sum += ctx.run(empty, blocks[i], i * 512L, 0, scratch);
        }
        return sum;
    }
}
