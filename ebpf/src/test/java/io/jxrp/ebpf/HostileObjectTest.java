package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile objects: truncated, bit-flipped, random, with bogus relocations. Loading
 * either succeeds or throws {@link BpfLoadException}; anything that loads runs to r0 or a
 * {@link BpfFault}. No other exception may escape.
 */
class HostileObjectTest {

    /** Loads, and if that works runs every program in both modes against random memory. */
    private static void loadAndRunSafely(String what, byte[] bytes, Random random) {
        BpfObject obj;
        try {
            obj = BpfObject.load(what, bytes);
        } catch (BpfLoadException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
            return;
        } catch (Throwable t) {
            fail(what + ": loader let " + t + " escape", t);
            return;
        }
        for (BpfProgram p : obj.programs()) {
            for (ExecutionMode mode : ExecutionMode.values()) {
                BpfMachine m = new BpfMachine(mode, 100_000);
                MemorySegment ctx = Arena.ofAuto().allocate(512);
                byte[] junk = new byte[512];
                random.nextBytes(junk);
                MemorySegment.copy(MemorySegment.ofArray(junk), 0, ctx, 0, 512);
                m.bind(Region.CONTEXT, ctx);
                try {
                    m.run(p, m.address(Region.CONTEXT));
                } catch (BpfFault expected) {
                    // clean
                } catch (Throwable t) {
                    fail(what + ": running " + p.name() + " in " + mode + " let " + t + " escape", t);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"maps", "globals", "calls", "xrp_walk"})
    void everyTruncationIsALoadError(String name) {
        byte[] full = TestObjects.bytes(name);
        for (int len = 0; len < full.length; len += Math.max(1, full.length / 400)) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            int length = len;
            BpfLoadException e = assertThrows(BpfLoadException.class, () -> BpfObject.load(name, cut), "length " + length);
            assertTrue(e.getMessage().startsWith(name + ":"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"maps", "globals", "calls", "xrp_walk"})
    void bitFlipsNeverEscape(String name) {
        byte[] full = TestObjects.bytes(name);
        long seed = Seeds.seed("HostileObjectTest.bitFlipsNeverEscape " + name);
        Random random = new Random(seed);
        for (int trial = 0; trial < 150; trial++) {
            byte[] mutant = full.clone();
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                mutant[random.nextInt(mutant.length)] ^= (byte) (1 << random.nextInt(8));
            }
            loadAndRunSafely(name + " mutant " + trial + " (seed " + seed + ")", mutant, random);
        }
    }

    @Test
    void randomBytesAreRejected() {
        long seed = Seeds.seed("HostileObjectTest.randomBytesAreRejected");
        Random random = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            byte[] junk = new byte[random.nextInt(4096)];
            random.nextBytes(junk);
            if (trial % 2 == 0 && junk.length >= 64) { // a plausible header over random contents
                byte[] header = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
                System.arraycopy(header, 0, junk, 0, header.length);
                junk[16] = 1;
                junk[17] = 0;
                junk[18] = (byte) 247;
                junk[19] = 0;
            }
            loadAndRunSafely("random " + trial + " (seed " + seed + ")", junk, random);
        }
    }

    /** Finds the relocation section applying to {@code section} and returns its file offset. */
    private static int relocationOffset(byte[] bytes, String section) throws BpfLoadException {
        ElfFile elf = ElfFile.parse("x", bytes);
        ElfFile.Section target = elf.section(section);
        return (int) elf.relocationsFor(target).offset();
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void bogusRelocationsAreLoadErrors() throws BpfLoadException {
        byte[] maps = TestObjects.bytes("maps");
        int rel = relocationOffset(maps, "count");

        byte[] badSymbol = maps.clone();
        le(badSymbol).putInt(rel + 12, 0x7fff_ffff);
        assertMessage(badSymbol, "symbol index");

        byte[] misaligned = maps.clone();
        le(misaligned).putLong(rel, le(maps).getLong(rel) + 3);
        assertMessage(misaligned, "misaligned");

        byte[] outside = maps.clone();
        le(outside).putLong(rel, 1L << 40);
        assertMessage(outside, "outside the section");

        byte[] badType = maps.clone();
        le(badType).putInt(rel + 8, 77);
        assertMessage(badType, "unsupported relocation type 77");

        byte[] callOnLddw = maps.clone();
        le(callOnLddw).putInt(rel + 8, ElfFile.R_BPF_64_32);
        assertMessage(callOnLddw, "non-call");

        byte[] calls = TestObjects.bytes("calls");
        int crel = relocationOffset(calls, "checksum");
        byte[] mapOnCall = calls.clone();
        le(mapOnCall).putInt(crel + 8, ElfFile.R_BPF_64_64);
        assertMessage(mapOnCall, "non-lddw");
    }

    private static void assertMessage(byte[] bytes, String part) {
        BpfLoadException e = assertThrows(BpfLoadException.class, () -> BpfObject.load("mutant", bytes));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void notBpfObjects() {
        assertMessage(new byte[0], "not an ELF file");
        assertMessage("hello world, this is not an object file at all, and it is long enough".getBytes(), "not an ELF");
        byte[] maps = TestObjects.bytes("maps");
        byte[] x86 = maps.clone();
        x86[18] = 62;
        assertMessage(x86, "not a BPF object");
        byte[] big = maps.clone();
        big[5] = 2;
        assertMessage(big, "little-endian");
    }

    @Test
    void validObjectsStillLoadAfterTheHostileOnes() {
        assertEquals(2, TestObjects.load("maps").programs().size());
    }

    /** Raw random bytecode over the valid opcode space: a load error, or a run ending in r0 or a fault, identically in both modes. */
    @Test
    void randomBytecodeNeverEscapes() {
        int[] opcodes = {0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c,
                0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc, 0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37,
                0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf,
                0xd7, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0x7d, 0x85, 0x8d,
                0x95, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, 0x06, 0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x4e,
                0x56, 0x5e, 0x66, 0x6e, 0x76, 0x7e, 0xa6, 0xae, 0xb6, 0xbe, 0xc6, 0xce, 0xd6, 0xde, 0x18, 0x61, 0x69, 0x71,
                0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb};
        long seed = Seeds.seed("HostileObjectTest.randomBytecodeNeverEscapes");
        Random random = new Random(seed);
        int loaded = 0;
        for (int trial = 0; trial < 3000; trial++) {
            long[] slots = new long[1 + random.nextInt(24)];
            for (int i = 0; i < slots.length; i++) {
                int op = opcodes[random.nextInt(opcodes.length)];
                int imm = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(8) == 0
                        ? new int[] {1, 0xa1, 0xe1, 0xf1, 0x41, 16, 32, 64}[random.nextInt(8)] : random.nextInt(33) - 16;
                int off = random.nextInt(4) == 0 ? random.nextInt(65536) - 32768 : random.nextInt(9) - 4;
                slots[i] = Opcodes.encode(op, random.nextInt(11), random.nextInt(11), off, imm);
            }
            slots[slots.length - 1] = Opcodes.encode(Opcodes.EXIT, 0, 0, 0, 0);
            BpfProgram p;
            try {
                p = BpfProgram.create("fuzz" + trial, slots, java.util.List.of());
            } catch (BpfLoadException expected) {
                continue;
            } catch (Throwable t) {
                fail("seed " + seed + " trial " + trial + ": verifier let " + t + " escape", t);
                return;
            }
            loaded++;
            byte[] memory = new byte[32];
            random.nextBytes(memory);
            try {
                assertEquals(DifferentialTest.outcome(ExecutionMode.INTERPRETER, p, 2_000, memory),
                        DifferentialTest.outcome(ExecutionMode.JIT, p, 2_000, memory),
                        "seed " + seed + " trial " + trial + "\n" + p.disassemble());
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable t) {
                fail("seed " + seed + " trial " + trial + ": run let " + t + " escape\n" + p.disassemble(), t);
            }
        }
        System.out.println("randomBytecodeNeverEscapes: " + loaded + " of 3000 passed the verifier");
        assertTrue(loaded > 50, "too few random programs verified to mean anything: " + loaded);
    }
}
