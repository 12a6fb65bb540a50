package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Struct layouts read from BTF against what clang computed for the same types ({@code layouts.c}
 * stores sizeof, offsetof and bitfield bit patterns in .rodata), and the typed accessor against a
 * program that fills the struct.
 */
class BtfLayoutTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final BpfObject object = TestObjects.load("layouts");

    /** The bytes of the .rodata variable {@code name}, found through BTF's DATASEC. */
    private MemorySegment rodata(String name) throws BpfLoadException {
        BtfType section = object.btf().types().stream()
                .filter(t -> t.kind() == BtfType.Kind.DATASEC && t.name().equals(".rodata")).findFirst().orElseThrow();
        BtfType.Member var = section.members().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        return object.map(".rodata").orElseThrow().valueStorage().asSlice(var.offset(), var.type().target().size());
    }

    @Test
    void offsetsAndSizesMatchTheCompiler() throws BpfLoadException {
        BtfLayout q = object.layout("query").orElseThrow();
        BtfLayout bits = object.layout("bits").orElseThrow();
        BtfLayout inner = object.layout("inner").orElseThrow();
        long[] actual = {q.size(), q.offsetOf("count"), q.offsetOf("next"), q.offsetOf("keys"), q.offsetOf("status"),
                q.offsetOf("nested"), q.offsetOf("nested[1].b"), q.offsetOf("raw"), q.offsetOf("lo"), q.offsetOf("hi"),
                q.offsetOf("matrix"), q.offsetOf("matrix[2][3]"), q.offsetOf("colour"), q.offsetOf("pointer"),
                q.offsetOf("tail"), bits.size(), bits.offsetOf("f"), object.layout("either").orElseThrow().size(),
                inner.size(), inner.offsetOf("b")};
        MemorySegment expected = rodata("expected");
        assertEquals(actual.length * 8L, expected.byteSize(), "entries in layouts.c's expected[]");
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(U64, i * 8L), actual[i], "entry " + i + " of expected[]");
        }
        // the typedef finds the same layout
        assertEquals(q.size(), object.layout("query_t").orElseThrow().size());
    }

    @Test
    void typesAreDescribed() throws BpfLoadException {
        BtfLayout q = object.layout("query").orElseThrow();
        assertEquals("__u64", q.field("keys").type().target().cName());
        assertEquals(32, q.field("keys").type().length());
        assertEquals(BtfType.Kind.ARRAY, q.field("matrix").type().kind());
        assertEquals("short", q.field("matrix[0][0]").type().resolved().cName());
        assertTrue(q.field("matrix[0][0]").type().resolved().isSigned());
        assertEquals("char *", q.field("pointer").type().cName());
        assertEquals(8, q.field("pointer").size());
        BtfType colour = q.field("colour").type();
        assertEquals(BtfType.Kind.ENUM, colour.kind());
        // clang 14 marks no enum signed (BTF's kind flag came with LLVM 15): compare the 32 bits
        assertEquals(List.of("RED", "GREEN", "BLUE"), colour.enumerators().stream().map(BtfType.Enumerator::name).toList());
        assertEquals(List.of(1, -2, 0x7fffffff), colour.enumerators().stream().map(e -> (int) e.value()).toList());
        assertTrue(object.layout("either").orElseThrow().isUnion());
        List<String> names = q.fields().stream().map(f -> f.path().substring(f.path().lastIndexOf('.') + 1)).toList();
        assertEquals(List.of("count", "next", "keys", "status", "nested", "raw", "lo", "hi", "matrix", "colour", "pointer", "tail"), names);
        BtfField c = object.layout("bits").orElseThrow().field("c");
        assertEquals(9, c.bitSize());
        assertEquals(48, c.bitOffset());
    }

    @Test
    void bitfieldsAreWrittenWhereTheCompilerPutsThem() throws BpfLoadException {
        BtfLayout bits = object.layout("bits").orElseThrow();
        String[] names = {"a", "b", "c", "d", "e"};
        long[] values = {5, 0x1f, 0x155, -3, 0xfedcba9876L};
        for (int i = 0; i < names.length; i++) {
            MemorySegment mine = Arena.ofAuto().allocate(bits.size());
            bits.field(names[i]).setLong(mine, values[i]);
            MemorySegment clangs = rodata("bits_" + names[i]);
            assertArrayEquals(clangs.toArray(ValueLayout.JAVA_BYTE), mine.toArray(ValueLayout.JAVA_BYTE), "bitfield " + names[i]);
            assertEquals(values[i], bits.field(names[i]).getLong(clangs), "reading bitfield " + names[i]);
            for (String other : names) {
                if (!other.equals(names[i])) {
                    assertEquals(0, bits.field(other).getLong(clangs), other + " in bits_" + names[i]);
                }
            }
        }
    }

    @Test
    void valuesThatDoNotFitAndBadPathsAreRefused() throws BpfLoadException {
        BtfLayout q = object.layout("query").orElseThrow();
        MemorySegment m = Arena.ofAuto().allocate(q.size());
        assertThrows(IllegalArgumentException.class, () -> q.field("count").setLong(m, -1));
        assertThrows(IllegalArgumentException.class, () -> q.field("status[0]").setLong(m, 256));
        assertThrows(IllegalArgumentException.class, () -> object.layout("bits").orElseThrow().field("d").setLong(m, 64));
        assertThrows(IndexOutOfBoundsException.class, () -> q.field("keys").index(32));
        assertThrows(IllegalArgumentException.class, () -> q.field("nope"));
        assertThrows(IllegalArgumentException.class, () -> q.field("count").index(0));
        assertThrows(IllegalArgumentException.class, () -> q.field("nested").getLong(m));
        q.field("matrix[1][4]").setLong(m, -32768);
        assertEquals(-32768, q.field("matrix").index(1).index(4).getLong(m));
        assertTrue(object.layout("no_such_struct").isEmpty());
    }

    /** A program fills the struct in the scratch page; the host reads it back through BTF. */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostReadsWhatTheProgramWrote(ExecutionMode mode) throws BpfLoadException {
        BtfLayout q = object.layout("query").orElseThrow();
        BpfProgram fill = object.program("xrp").orElseThrow();
        assertEquals(ProgramType.XRP, fill.type());
        BpfMachine vm = new BpfMachine(mode);
        MemorySegment ctx = Arena.ofAuto().allocate(ProgramType.XRP_CONTEXT_BYTES, 8);
        MemorySegment scratch = Arena.ofAuto().allocate(4096, 8);
        vm.bind(Region.CONTEXT, ctx);
        vm.bind(Region.SCRATCH, scratch);
        ctx.set(U64, 272, vm.address(Region.SCRATCH));
        assertEquals(0, vm.run(fill, vm.address(Region.CONTEXT)));
        assertEquals(3, q.field("count").getLong(scratch));
        for (int i = 0; i < 3; i++) {
            assertEquals(1000 + i, q.field("keys").index(i).getLong(scratch));
            assertEquals(i + 1, q.field("status").index(i).getLong(scratch));
        }
        assertEquals(77, q.field("nested[1].b").getLong(scratch));
        assertEquals(0xabcdL << 32, q.field("raw").getLong(scratch));
        assertEquals(-5, q.field("matrix[2][3]").getLong(scratch));
        assertEquals(-2, (int) q.field("colour").getLong(scratch));
        assertEquals('z', q.field("tail").getLong(scratch));
    }

    @Test
    void paholeStyleDescription() throws BpfLoadException {
        String text = object.layout("query").orElseThrow().describe();
        assertTrue(text.startsWith("struct query {\n"), text);
        assertTrue(text.contains("__u64                      keys[32];             /*     8   256 */"), text);
        assertTrue(text.contains("/* XXX 2 bytes hole, try to pack */"), text);
        assertTrue(text.contains("/* size: 392, cachelines: 7, members: 10 */"), text);
        String bits = object.layout("bits").orElseThrow().describe();
        assertTrue(bits.contains("__u16                      c:9;                  /*     6: 0    2 */"), bits);
    }

    @Test
    void objectsWithoutBtfSayWhy() throws Exception {
        BpfLoadException e = assertThrows(BpfLoadException.class, () -> BtfTypes.parse("x.o", new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("not an ELF file"), e.getMessage());
    }
}
