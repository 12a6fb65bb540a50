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

    private static long seed() {
        String fixed = System.getProperty("jxrp.seed");
        return fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    }

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
        long seed = seed();
        System.out.println("bitFlipsNeverEscape " + name + " seed=" + seed);
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
        long seed = seed();
        System.out.println("randomBytesAreRejected seed=" + seed);
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
}
