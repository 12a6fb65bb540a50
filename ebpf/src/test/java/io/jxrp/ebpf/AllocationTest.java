package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The per-invocation path (rebind DATA, write the pointer, run with map helpers) does not allocate. */
class AllocationTest {

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void steadyStateRunsDoNotAllocate(ExecutionMode mode) throws BpfLoadException {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BpfMap map = BpfMap.create(MapType.HASH, "h", 8, 8, 16);
        // ctx->data is at 0; read a u64 key from data, count it in the hash map, return the count.
        String asm = """
                ldxdw r6, [r1+0]
                ldxdw r2, [r6+0]
                stxdw [r10-8], r2
                lddw r1, map 0
                mov r2, r10
                add r2, -8
                call 1
                jeq r0, 0, insert
                mov r3, 1
                lock_add64 [r0+0], r3
                ldxdw r0, [r0+0]
                exit
                insert:
                stdw [r10-16], 1
                lddw r1, map 0
                mov r2, r10
                add r2, -8
                mov r3, r10
                add r3, -16
                mov r4, 0
                call 2
                mov r0, 1
                exit
                """;
        BpfProgram p = BpfProgram.create("count", Asm.assemble(asm), List.of(map));
        BpfMachine m = new BpfMachine(mode);
        MemorySegment ctx = Arena.ofAuto().allocate(296, 8);
        MemorySegment[] blocks = {Arena.ofAuto().allocate(512, 8), Arena.ofAuto().allocate(512, 8)};
        blocks[0].set(BpfMachine.U64, 0, 1);
        blocks[1].set(BpfMachine.U64, 0, 2);
        m.bind(Region.CONTEXT, ctx);
        long ctxAddress = m.address(Region.CONTEXT);
        long dataAddress = m.address(Region.DATA);
        for (int i = 0; i < 20_000; i++) { // warm up, JIT-compile
            m.bind(Region.DATA, blocks[i & 1]);
            ctx.set(BpfMachine.U64, 0, dataAddress);
            m.run(p, ctxAddress);
        }
        int runs = 50_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        long last = 0;
        for (int i = 0; i < runs; i++) {
            m.bind(Region.DATA, blocks[i & 1]);
            ctx.set(BpfMachine.U64, 0, dataAddress);
            last = m.run(p, ctxAddress);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(35_000, last);
        assertTrue(allocated < runs / 10, mode + ": " + allocated + " bytes allocated over " + runs + " runs");
    }
}
