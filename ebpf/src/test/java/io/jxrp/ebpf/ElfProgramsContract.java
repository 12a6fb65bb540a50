package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Real clang-compiled programs (src/test/bpf) loaded from ELF and run in one execution mode. */
abstract class ElfProgramsContract extends VmTestSupport {
    private static final java.lang.foreign.ValueLayout.OfLong U64 = BpfMachine.U64;

    private static byte[] le(long... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        return b.array();
    }

    private static long word(byte[] bytes, int index) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(index * 8);
    }

    @Test
    void mapsAreSharedBetweenProgramsAndHost() {
        BpfObject obj = TestObjects.load("maps");
        BpfProgram count = obj.program("count").orElseThrow();
        BpfProgram forget = obj.program("forget_key").orElseThrow();
        BpfMap counters = obj.map("counters").orElseThrow();
        BpfMap seen = obj.map("seen").orElseThrow();
        assertEquals(MapType.ARRAY, counters.type());
        assertEquals(4, counters.maxEntries());
        assertEquals(8, counters.valueSize());
        assertEquals(MapType.HASH, seen.type());
        assertEquals(8, seen.keySize());
        assertEquals(16, seen.valueSize());
        assertEquals(64, seen.maxEntries());

        BpfMachine m = machine();
        MemorySegment ctx = MemorySegment.ofArray(le(42, 7));
        m.bind(Region.CONTEXT, ctx);
        long at = m.address(Region.CONTEXT);
        assertEquals(1, m.run(count, at));
        ctx.set(U64, 8, 9);
        assertEquals(2, m.run(count, at));
        byte[] v = seen.lookup(le(42));
        assertEquals(2, word(v, 0));
        assertEquals(9, word(v, 1));
        assertEquals(2, word(counters.lookup(new byte[4]), 0));

        assertEquals(0, seen.update(le(5), le(10, 0), BpfMap.BPF_ANY));
        ctx.set(U64, 0, 5);
        assertEquals(11, m.run(count, at));
        assertEquals(0, (int) m.run(forget, at));
        assertEquals(BpfMap.ENOENT, (int) m.run(forget, at));
        assertNull(seen.lookup(le(5)));
        assertEquals(1, seen.keys().size());
        assertEquals(3, word(counters.lookup(new byte[4]), 0));
    }

    @Test
    void globalDataSectionsBecomeMaps() {
        BpfObject obj = TestObjects.load("globals");
        BpfProgram p = obj.program("globals").orElseThrow();
        BpfMachine m = machine();
        MemorySegment in = MemorySegment.ofArray(le(3));
        m.bind(Region.CONTEXT, in);
        assertEquals(9 + 1000, m.run(p, m.address(Region.CONTEXT)));
        in.set(U64, 0, 13); // & 7 = 5
        assertEquals(25 + 2000, m.run(p, m.address(Region.CONTEXT)));
        assertEquals(102, word(obj.map(".data").orElseThrow().lookup(new byte[4]), 0));
        byte[] bss = obj.map(".bss").orElseThrow().lookup(new byte[4]);
        assertEquals(3, word(bss, 101 & 3));
        assertEquals(5, word(bss, 102 & 3));
        assertTrue(obj.maps().stream().filter(x -> x.name().startsWith(".rodata")).allMatch(BpfMap::readOnlyForPrograms));
    }

    static long mix(long a, long b) {
        return a * 31 + b * 17 + (a ^ b) + (a + b);
    }

    static long checksum(byte[] bytes, int len) {
        long[] words = new long[16];
        for (int i = 0; i < 128 && i < len; i++) {
            words[i / 8] = (words[i / 8] << 8) | (bytes[i] & 0xff);
        }
        long acc = 7;
        int n = (len + 7) / 8;
        for (int i = 0; i < n && i < 16; i++) {
            acc = mix(acc, words[i]);
        }
        return acc;
    }

    @Test
    void bpfToBpfCallsIntoTextSubprograms() {
        BpfObject obj = TestObjects.load("calls");
        BpfProgram p = obj.program("checksum").orElseThrow();
        assertTrue(p.maxFrames() >= 3, "nested calls: " + p.maxFrames());
        long seed = Seeds.seed(getClass().getSimpleName() + ".bpfToBpfCallsIntoTextSubprograms");
        Random random = new Random(seed);
        BpfMachine m = machine();
        MemorySegment blob = Arena.ofAuto().allocate(4 + 128);
        m.bind(Region.CONTEXT, blob);
        for (int trial = 0; trial < 40; trial++) {
            int len = trial == 0 ? 0 : trial == 1 ? 128 : random.nextInt(129);
            byte[] bytes = new byte[128];
            random.nextBytes(bytes);
            blob.set(BpfMachine.U32, 0, len);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, blob, 4, 128);
            assertEquals(checksum(bytes, len), m.run(p, m.address(Region.CONTEXT)), "len " + len + " seed " + seed);
        }
        blob.set(BpfMachine.U32, 0, 129);
        assertEquals(0, m.run(p, m.address(Region.CONTEXT)));
    }

    @Test
    void storageFunctionWalksBlocksThroughTheXrpContext() {
        BpfProgram walk = TestObjects.load("xrp_walk").program("xrp").orElseThrow();
        BpfMachine m = machine();
        MemorySegment ctx = Arena.ofAuto().allocate(296, 8);
        MemorySegment scratch = Arena.ofAuto().allocate(4096, 8);
        MemorySegment block = Arena.ofAuto().allocate(512, 8);
        m.bind(Region.CONTEXT, ctx);
        m.bind(Region.SCRATCH, scratch);
        m.bind(Region.DATA, block);
        ctx.set(U64, 272, m.address(Region.SCRATCH));
        long[][] chain = {{1024, 5}, {2048, 6}, {0, 7}};
        for (int hop = 0; hop < chain.length; hop++) {
            ctx.asSlice(8, 8 + 256).fill((byte) 0);
            block.set(U64, 0, chain[hop][0]);
            block.set(U64, 8, chain[hop][1]);
            ctx.set(U64, 0, m.address(Region.DATA));
            assertEquals(0, m.run(walk, m.address(Region.CONTEXT)));
            boolean last = hop == chain.length - 1;
            assertEquals(last ? 1 : 0, ctx.get(BpfMachine.U32, 8));
            assertEquals(last ? 0 : chain[hop][0], ctx.get(U64, 16));
            assertEquals(last ? 0 : 512, ctx.get(U64, 144));
        }
        assertEquals(18, scratch.get(U64, 0));
        assertEquals(3, scratch.get(U64, 8));
        block.set(U64, 8, 0xdead);
        assertEquals(1, m.run(walk, m.address(Region.CONTEXT)));
    }

    /**
     * Faults on an unbound scratch and on a data block shorter than the program reads leave the
     * context and the scratch as they were, and the machine stays usable: the next run on a whole
     * block gives the walk's answer.
     */
    @Test
    void unboundScratchFaultsCleanly() {
        BpfProgram walk = TestObjects.load("xrp_walk").program("xrp").orElseThrow();
        BpfMachine m = machine();
        MemorySegment ctx = Arena.ofAuto().allocate(296, 8);
        MemorySegment block = Arena.ofAuto().allocate(512, 8);
        m.bind(Region.CONTEXT, ctx);
        m.bind(Region.DATA, block);
        block.set(U64, 0, 4096);
        block.set(U64, 8, 5);
        ctx.set(U64, 0, m.address(Region.DATA));
        ctx.set(U64, 272, m.address(Region.SCRATCH));
        byte[] contextBefore = ctx.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        BpfFault f = assertThrows(BpfFault.class, () -> m.run(walk, m.address(Region.CONTEXT)));
        assertEquals(BpfFault.Kind.MEMORY, f.kind());
        assertTrue(f.getMessage().contains("unmapped"), f.getMessage());
        assertArrayEquals(contextBefore, ctx.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "context untouched");
        // A data block shorter than the program reads.
        MemorySegment scratch = Arena.ofAuto().allocate(4096, 8);
        m.bind(Region.SCRATCH, scratch);
        m.bind(Region.DATA, MemorySegment.ofArray(new byte[12]));
        f = assertThrows(BpfFault.class, () -> m.run(walk, m.address(Region.CONTEXT)));
        assertTrue(f.reason().contains("outside DATA"), f.reason());
        assertArrayEquals(new byte[4096], scratch.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "scratch untouched");
        assertArrayEquals(contextBefore, ctx.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "context untouched");
        // still usable: a whole block is one hop of the walk
        m.bind(Region.DATA, block);
        assertEquals(0, m.run(walk, m.address(Region.CONTEXT)));
        assertEquals(5, scratch.get(U64, 0), "the block's value summed");
        assertEquals(1, scratch.get(U64, 8), "one hop counted");
        assertEquals(4096, ctx.get(U64, 16), "next address");
        assertEquals(512, ctx.get(U64, 144), "next size");
    }
}
