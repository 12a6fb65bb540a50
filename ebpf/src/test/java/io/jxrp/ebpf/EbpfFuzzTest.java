package io.jxrp.ebpf;

import io.jxrp.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The eBPF runtime against hostile input, seeded and time-bounded ({@link Fuzz}; a few tens of seconds
 * each in CI, {@code scripts/fuzz --minutes N} for long runs):
 * <ul>
 * <li>the ELF/BTF loader on mutants of the clang-built test objects (bit flips, byte and word
 *     overwrites with edge values, truncation, splices): a load succeeds or is a
 *     {@link BpfLoadException}, nothing else; what loads runs in the interpreter and the JIT alike;
 * <li>the verifier on random bytecode (instruction-shaped words): accepted or rejected with a
 *     {@link BpfLoadException}, and what it accepts runs to a result or a {@link BpfFault} in both
 *     modes, the same one;
 * <li>interpreter against JIT on random verifiable programs: the same r0, fault, instruction count
 *     and memory.
 * </ul>
 */
@Tag("fuzz")
@Timeout(600)
class EbpfFuzzTest {
    private static final long BUDGET = 20_000;
    private static final long[] EDGES = {0, 1, -1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000L, 0xffffffffL,
            Long.MAX_VALUE, Long.MIN_VALUE, 512, 4096, 1L << 32};

    /** One run's result, as both modes must agree on it: r0 or the fault, the instructions, the memory after. */
    static String outcome(ExecutionMode mode, BpfProgram program, byte[] memory) {
        BpfMachine m = new BpfMachine(mode, BUDGET);
        MemorySegment ctx = Arena.ofAuto().allocate(Math.max(1, memory.length), 8).asSlice(0, memory.length);
        MemorySegment.copy(MemorySegment.ofArray(memory), 0, ctx, 0, memory.length);
        m.bind(Region.CONTEXT, ctx);
        String result;
        try {
            result = "r0=" + Long.toHexString(m.run(program, m.address(Region.CONTEXT), memory.length));
        } catch (BpfFault f) {
            result = "fault " + f.kind() + " at pc " + f.pc();
        }
        return result + " insns=" + m.lastInstructionCount() + " memory=" + Arrays.hashCode(ctx.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    private static void sameInBothModes(BpfProgram program, byte[] memory) {
        assertEquals(outcome(ExecutionMode.INTERPRETER, program, memory), outcome(ExecutionMode.JIT, program, memory),
                program.name() + ": interpreter and JIT differ");
    }

    private static List<byte[]> seedObjects() throws Exception {
        List<byte[]> objects = new ArrayList<>();
        for (String name : new String[] {"maps", "globals", "calls", "xrp_walk", "sized_maps"}) {
            Path file = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf")).resolve(name + ".o");
            if (Files.isRegularFile(file)) {
                objects.add(Files.readAllBytes(file));
            }
        }
        io.jxrp.testing.Requirements.require(!objects.isEmpty(), () -> "no clang-built test objects under "
                + System.getProperty("jxrp.bpf.objects", "target/bpf"));
        return objects;
    }

    @Test
    void elfAndBtfLoader() throws Exception {
        List<byte[]> objects = seedObjects();
        Fuzz.run(getClass(), "elf-loader", 30, (random, index) -> mutate(random, objects), input -> {
            BpfObject object;
            try {
                object = BpfObject.load("mutant.o", input);
            } catch (BpfLoadException rejected) {
                object = null;
            }
            try {
                BtfTypes.parse("mutant.o", input).layouts().forEach(BtfLayout::describe);
            } catch (BpfLoadException rejected) {
                // a clean refusal
            }
            if (object != null) {
                // each mode runs on its own load: maps and globals are state a run leaves behind
                BpfObject second = BpfObject.load("mutant.o", input);
                byte[] memory = new byte[296];
                new Random(input.length).nextBytes(memory);
                for (int i = 0; i < object.programs().size(); i++) {
                    BpfProgram program = object.programs().get(i);
                    assertEquals(outcome(ExecutionMode.INTERPRETER, program, memory),
                            outcome(ExecutionMode.JIT, second.programs().get(i), memory),
                            program.name() + ": interpreter and JIT differ");
                }
            }
        });
    }

    /** A mutant of one of the objects: a few of flips, overwrites, a truncation or a splice. */
    static byte[] mutate(Random random, List<byte[]> objects) {
        byte[] bytes = objects.get(random.nextInt(objects.size())).clone();
        int edits = 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 4);
        for (int e = 0; e < edits && bytes.length > 8; e++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(6)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = (byte) random.nextInt(256);
                case 2 -> {
                    int word = Math.min(at, bytes.length - 8);
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(word, EDGES[random.nextInt(EDGES.length)]);
                }
                case 3 -> {
                    int word = Math.min(at, bytes.length - 4);
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(word, (int) EDGES[random.nextInt(EDGES.length)]);
                }
                case 4 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                default -> { // a run of another object's bytes over this one
                    byte[] other = objects.get(random.nextInt(objects.size()));
                    int from = random.nextInt(other.length);
                    int length = Math.min(random.nextInt(256), Math.min(other.length - from, bytes.length - at));
                    System.arraycopy(other, from, bytes, at, length);
                }
            }
        }
        return bytes;
    }

    @Test
    void verifierOnRandomBytecode() {
        Fuzz.run(getClass(), "verifier", 20, (random, index) -> {
            int slots = 1 + random.nextInt(64);
            ByteBuffer code = ByteBuffer.allocate(slots * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < slots; i++) {
                int opcode = random.nextInt(4) == 0 ? random.nextInt(256) : PLAUSIBLE[random.nextInt(PLAUSIBLE.length)];
                int registers = random.nextInt(3) == 0 ? random.nextInt(256) : random.nextInt(11) | random.nextInt(11) << 4;
                short offset = (short) (random.nextBoolean() ? random.nextInt(16) - 8 : random.nextInt(65536));
                int imm = random.nextBoolean() ? random.nextInt(64) - 32 : (int) EDGES[random.nextInt(EDGES.length)];
                code.put((byte) opcode).put((byte) registers).putShort(offset).putInt(imm);
            }
            if (random.nextBoolean()) {
                code.putLong((slots - 1) * 8, 0x95L); // end with exit
            }
            return code.array();
        }, input -> {
            BpfProgram program;
            try {
                program = BpfProgram.fromBytes("random", input, List.of());
            } catch (BpfLoadException rejected) {
                return;
            }
            byte[] memory = new byte[64];
            new Random(Arrays.hashCode(input)).nextBytes(memory);
            sameInBothModes(program, memory);
        });
    }

    /** Opcodes of every class, so random bytecode gets past the first check often enough. */
    private static final int[] PLAUSIBLE = {0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67,
            0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd4, 0xdc, 0x04, 0x0c, 0xb4, 0xbc,
            0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x45, 0x55, 0x5d, 0x65, 0x6d, 0x75, 0xa5, 0xb5, 0xc5, 0xd5, 0x06, 0x16,
            0x85, 0x95, 0x18, 0x61, 0x69, 0x71, 0x79, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb};

    @Test
    void interpreterAgainstJitOnRandomPrograms() {
        Fuzz.run(getClass(), "interp-vs-jit", 30, (random, index) ->
                RandomPrograms.generate(random, 5 + random.nextInt(80)).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                input -> {
                    String asm = new String(input, java.nio.charset.StandardCharsets.UTF_8);
                    BpfProgram program = BpfProgram.create("random", Asm.assemble(asm), List.of());
                    byte[] memory = new byte[64];
                    new Random(asm.hashCode()).nextBytes(memory);
                    sameInBothModes(program, memory);
                });
    }
}
