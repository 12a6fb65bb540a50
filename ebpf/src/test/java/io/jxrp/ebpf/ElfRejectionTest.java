package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Real clang objects that use something unsupported are rejected with a precise message; BTF variants load. */
class ElfRejectionTest {

    private static String rejection(String name) {
        byte[] bytes = TestObjects.bytes(name);
        return assertThrows(BpfLoadException.class, () -> BpfObject.load(name, bytes)).getMessage();
    }

    @Test
    void unsupportedMapType() {
        String message = rejection("reject_map_type");
        assertTrue(message.contains("map percpu: map type 6 is not supported"), message);
    }

    @Test
    void unknownHelper() {
        String message = rejection("reject_helper");
        assertTrue(message.contains("unknown helper id 14"), message);
    }

    @Test
    void recursion() {
        String message = rejection("reject_recursion");
        assertTrue(message.contains("recursive call"), message);
    }

    @Test
    void mapsDeclaredWithSizesAndTypedefs() {
        BpfObject obj = TestObjects.load("sized_maps");
        BpfMap raw = obj.map("raw").orElseThrow();
        assertEquals(16, raw.keySize());
        assertEquals(40, raw.valueSize());
        assertEquals(100, raw.maxEntries());
        BpfMap triples = obj.map("triples").orElseThrow();
        assertEquals(24, triples.valueSize());
        triples.update(new byte[4], java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(1).putLong(20).putLong(300).array(), BpfMap.BPF_ANY);
        BpfProgram p = obj.program("prog").orElseThrow();
        for (ExecutionMode mode : ExecutionMode.values()) {
            BpfMachine m = new BpfMachine(mode);
            m.bind(Region.CONTEXT, MemorySegment.ofArray(new byte[8]));
            assertEquals(321, m.run(p, m.address(Region.CONTEXT)));
        }
    }
}
