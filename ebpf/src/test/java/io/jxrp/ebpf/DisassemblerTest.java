package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DisassemblerTest {
    private static String one(String asm) {
        return Disassembler.disassemble(Asm.assemble(asm), 0);
    }

    @Test
    void rendersEveryClass() {
        assertEquals("r1 += 5", one("add r1, 5"));
        assertEquals("w1 s/= w2", one("sdiv32 r1, r2"));
        assertEquals("r1 = (s8)r2", one("movsx r1, r2, 8"));
        assertEquals("r1 = be16 r1", one("be16 r1"));
        assertEquals("r1 = bswap64 r1", one("bswap64 r1"));
        assertEquals("r0 = 0x1122334455667788 ll", one("lddw r0, 0x1122334455667788"));
        assertEquals("r1 = map[0] ll", one("lddw r1, map 0"));
        assertEquals("r0 = *(s16 *)(r1 -2)", one("ldxsh r0, [r1-2]"));
        assertEquals("*(u32 *)(r10 -4) = 7", one("stw [r10-4], 7"));
        assertEquals("lock *(u64 *)(r10 -8) += r1", one("lock_add64 [r10-8], r1"));
        assertEquals("r0 = cmpxchg(*(u32 *)(r1 +0), r0, w2)", one("cmpxchg32 [r1+0], r2"));
        assertEquals("if w1 s< 3 goto pc+1 ; -> 2", one("jslt32 r1, 3, +1"));
        assertEquals("gotol pc-1 ; -> 0", one("gotol -1"));
        assertEquals("call 1 ; bpf_map_lookup_elem", one("call 1"));
        assertEquals("callx r3", one("callx r3"));
        assertEquals("exit", one("exit"));
    }

    @Test
    void neverThrowsOnGarbage() {
        long seed = Seeds.seed("DisassemblerTest.neverThrowsOnGarbage");
        Random random = new Random(seed);
        long[] slots = new long[4096];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = random.nextLong();
        }
        assertFalse(Disassembler.listing(slots).isEmpty());
        assertEquals("<pc 9999 outside program>", Disassembler.disassemble(slots, 9999));
    }
}
