package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Map semantics from the host side, checked against a model; one subclass per map type. */
abstract class MapContract {
    abstract MapType type();

    static final int MAX = 32;

    BpfMap map() {
        return BpfMap.create(type(), "m", 4, 8, MAX);
    }

    static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(k).array();
    }

    static byte[] value(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Model of what lookup returns for a key never written. */
    abstract byte[] absentValue(int k);

    @Test
    void randomOperationsMatchAModel() {
        long seed = Seeds.seed(getClass().getSimpleName() + ".randomOperationsMatchAModel");
        Random random = new Random(seed);
        BpfMap map = map();
        Map<Integer, Long> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            int k = random.nextInt(MAX + 8);
            long v = random.nextLong();
            long flags = random.nextInt(3);
            switch (random.nextInt(3)) {
                case 0 -> assertEquals(modelUpdate(model, k, v, flags), map.update(key(k), value(v), flags),
                        "update " + k + " flags " + flags + " seed " + seed);
                case 1 -> assertEquals(modelDelete(model, k), map.delete(key(k)), "delete " + k + " seed " + seed);
                default -> {
                    Long expected = model.get(k);
                    byte[] got = map.lookup(key(k));
                    if (expected != null) {
                        assertArrayEquals(value(expected), got, "lookup " + k + " seed " + seed);
                    } else {
                        assertArrayEquals(absentValue(k), got, "lookup " + k + " seed " + seed);
                    }
                }
            }
        }
    }

    /** The expected result code of an update, applying it to the model. */
    abstract int modelUpdate(Map<Integer, Long> model, int k, long v, long flags);

    abstract int modelDelete(Map<Integer, Long> model, int k);

    @Test
    void wrongSizesAreRejected() {
        BpfMap map = map();
        assertThrows(IllegalArgumentException.class, () -> map.lookup(new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> map.update(key(1), new byte[7], BpfMap.BPF_ANY));
        assertEquals(BpfMap.EINVAL, map.update(key(1), value(1), 7));
    }

    @Test
    void programsSeeHostWritesAndViceVersa() throws BpfLoadException {
        BpfMap map = map();
        assertEquals(0, map.update(key(3), value(41), BpfMap.BPF_ANY));
        String asm = """
                stw [r10-4], 3
                lddw r1, map 0
                mov r2, r10
                add r2, -4
                call 1
                jne r0, 0, found
                mov r0, 0
                exit
                found:
                ldxdw r1, [r0+0]
                add r1, 1
                stxdw [r0+0], r1
                mov r0, r1
                exit
                """;
        BpfProgram p = BpfProgram.create("inc", Asm.assemble(asm), java.util.List.of(map));
        for (ExecutionMode mode : ExecutionMode.values()) {
            new BpfMachine(mode).run(p, 0);
        }
        assertArrayEquals(value(43), map.lookup(key(3)));
    }

    @Test
    void updateFlagsFromPrograms() throws BpfLoadException {
        // update(key 1, value 7, flags r6); returns the helper's result.
        String asm = """
                stw [r10-4], 1
                stdw [r10-16], 7
                lddw r1, map 0
                mov r2, r10
                add r2, -4
                mov r3, r10
                add r3, -16
                mov r4, r6
                call 2
                exit
                """;
        for (ExecutionMode mode : ExecutionMode.values()) {
            BpfMap map = map();
            Map<Integer, Long> model = new HashMap<>();
            for (long flags : new long[] {BpfMap.BPF_EXIST, BpfMap.BPF_NOEXIST, BpfMap.BPF_NOEXIST, BpfMap.BPF_EXIST, BpfMap.BPF_ANY}) {
                BpfProgram p = BpfProgram.create("upd", Asm.assemble("mov r6, " + flags + "\n" + asm), java.util.List.of(map));
                assertEquals(modelUpdate(model, 1, 7, flags), (int) new BpfMachine(mode).run(p, 0), mode + " flags " + flags);
            }
        }
    }
}
