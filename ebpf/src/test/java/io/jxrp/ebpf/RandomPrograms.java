package io.jxrp.ebpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates random but verifiable programs (assembler text): every ALU/jump/memory/atomic form,
 * forward and backward jumps (backward ones may loop until the budget ends them), stack and
 * wild memory accesses (the latter fault), helper and local calls. The result folds r0..r9 into r0.
 */
final class RandomPrograms {
    private RandomPrograms() {}

    private static final String[] ALU = {"add", "sub", "mul", "div", "sdiv", "mod", "smod", "or", "and", "lsh", "rsh", "arsh", "xor", "mov"};
    private static final String[] JMP = {"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"};
    private static final long[] EDGES = {0, 1, -1, 2, 31, 32, 63, 64, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffffffffL,
            Long.MAX_VALUE, Long.MIN_VALUE, 0x8000000000000001L, 0x100000000L};

    static String generate(Random r, int units) {
        List<String> body = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            body.add(unit(r, i, units));
        }
        StringBuilder sb = new StringBuilder();
        for (int reg = 0; reg <= 9; reg++) {
            sb.append("lddw r").append(reg).append(", ").append(value(r)).append('\n');
        }
        for (int i = 0; i < body.size(); i++) {
            sb.append("u").append(i).append(":\n").append(body.get(i)).append('\n');
        }
        sb.append("u").append(units).append(":\n");
        for (int reg = 1; reg <= 9; reg++) {
            sb.append("mul r0, 1000003\nxor r0, r").append(reg).append('\n');
        }
        sb.append("exit\nsub:\nmov r0, r1\nmul r0, r2\nadd r0, r5\nstdw [r10-8], 3\nldxdw r6, [r10-8]\nadd r0, r6\nexit\n");
        return sb.toString();
    }

    private static long value(Random r) {
        return r.nextInt(3) == 0 ? EDGES[r.nextInt(EDGES.length)] : r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(200) - 100;
    }

    private static int imm(Random r) {
        return (int) value(r);
    }

    private static String reg(Random r) {
        return "r" + r.nextInt(10);
    }

    private static String unit(Random r, int i, int units) {
        int kind = r.nextInt(100);
        String d = reg(r);
        if (kind < 45) {
            String op = ALU[r.nextInt(ALU.length)] + (r.nextBoolean() ? "32" : "");
            String src = r.nextBoolean() ? reg(r) : Integer.toString(imm(r));
            return op + " " + d + ", " + src;
        }
        if (kind < 50) {
            return switch (r.nextInt(5)) {
                case 0 -> "neg" + (r.nextBoolean() ? "32 " : " ") + d;
                case 1 -> "movsx " + d + ", " + reg(r) + ", " + new int[] {8, 16, 32}[r.nextInt(3)];
                case 2 -> "movsx32 " + d + ", " + reg(r) + ", " + new int[] {8, 16}[r.nextInt(2)];
                case 3 -> new String[] {"be", "le", "bswap"}[r.nextInt(3)] + new int[] {16, 32, 64}[r.nextInt(3)] + " " + d;
                default -> "lddw " + d + ", " + value(r);
            };
        }
        if (kind < 68) {
            String op = JMP[r.nextInt(JMP.length)] + (r.nextBoolean() ? "32" : "");
            String src = r.nextBoolean() ? reg(r) : Integer.toString(imm(r));
            int target = r.nextInt(8) == 0 ? r.nextInt(i + 1) : i + 1 + r.nextInt(units - i);
            return op + " " + reg(r) + ", " + src + ", u" + target;
        }
        if (kind < 70) {
            int target = i + 1 + r.nextInt(units - i);
            return (r.nextBoolean() ? "ja u" : "gotol u") + target;
        }
        String[] widths = {"b", "h", "w", "dw"};
        int w = r.nextInt(4);
        int size = 1 << w;
        int off = -size * (1 + r.nextInt(512 / size));
        if (kind < 80) {
            return "stx" + widths[w] + " [r10" + off + "], " + reg(r);
        }
        if (kind < 86) {
            return r.nextBoolean() ? "st" + widths[w] + " [r10" + off + "], " + imm(r)
                    : "ldx" + (r.nextBoolean() || w == 3 ? "" : "s") + widths[w] + " " + d + ", [r10" + off + "]";
        }
        if (kind < 89) {
            return "ldx" + widths[w] + " " + d + ", [r10" + off + "]";
        }
        if (kind < 93) {
            String[] atomics = {"lock_add", "lock_or", "lock_and", "lock_xor", "fetch_add", "fetch_or", "fetch_and",
                    "fetch_xor", "xchg", "cmpxchg"};
            boolean wide = r.nextBoolean();
            int aoff = wide ? -8 * (1 + r.nextInt(64)) : -4 * (1 + r.nextInt(128));
            return atomics[r.nextInt(atomics.length)] + (wide ? "64" : "32") + " [r10" + aoff + "], " + reg(r);
        }
        if (kind < 95) {
            return "ldxw " + d + ", [" + reg(r) + "+" + r.nextInt(64) + "]"; // usually faults: wild pointer
        }
        if (kind < 97) {
            return "call " + (7 + r.nextInt(2));
        }
        return "call local sub";
    }
}
