package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small test-side assembler. One instruction per line; {@code #} or {@code ;} start comments;
 * {@code name:} defines a label. Jump and local-call targets are labels or {@code +n}/{@code -n}.
 *
 * <pre>
 *   add r1, 5        add32 r1, r2     sdiv r1, r2      smod32 r1, -3     neg r1    neg32 r1
 *   mov r1, -1       mov32 r1, r2     movsx r1, r2, 8  movsx32 r1, r2, 16
 *   be16 r1  le32 r1  bswap64 r1
 *   lddw r1, 0x1122334455667788       lddw r1, map 0       lddw r1, mapval 0, 8
 *   ldxw r0, [r1+4]  ldxsb r0, [r1-1]  stdw [r10-8], 7  stxh [r10-2], r3
 *   lock_add64 [r10-8], r1   fetch_xor32 [r1+0], r2   xchg64 [r10-8], r3   cmpxchg32 [r1+0], r2
 *   ja label   gotol label   jeq r1, 5, label   jsgt32 r1, r2, +3
 *   call 1     call local fn   callx r3   exit
 * </pre>
 */
final class Asm {
    private Asm() {}

    static long[] assemble(String text) {
        List<String[]> lines = new ArrayList<>();
        Map<String, Integer> labels = new HashMap<>();
        int pc = 0;
        for (String raw : text.split("\n")) {
            String line = raw.replaceAll("[#;].*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.endsWith(":")) {
                labels.put(line.substring(0, line.length() - 1).trim(), pc);
                continue;
            }
            String mnemonic = line.split("\\s+", 2)[0].toLowerCase();
            String rest = line.length() > mnemonic.length() ? line.substring(mnemonic.length()).trim() : "";
            lines.add(new String[] {mnemonic, rest, Integer.toString(pc)});
            pc += mnemonic.equals("lddw") ? 2 : 1;
        }
        long[] out = new long[pc];
        for (String[] l : lines) {
            int at = Integer.parseInt(l[2]);
            try {
                assembleOne(l[0], l[1], at, labels, out);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot assemble '" + l[0] + " " + l[1] + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static final Map<String, Integer> ALU = Map.ofEntries(
            Map.entry("add", ALU_ADD), Map.entry("sub", ALU_SUB), Map.entry("mul", ALU_MUL), Map.entry("div", ALU_DIV),
            Map.entry("or", ALU_OR), Map.entry("and", ALU_AND), Map.entry("lsh", ALU_LSH), Map.entry("rsh", ALU_RSH),
            Map.entry("mod", ALU_MOD), Map.entry("xor", ALU_XOR), Map.entry("mov", ALU_MOV), Map.entry("arsh", ALU_ARSH),
            Map.entry("sdiv", ALU_DIV), Map.entry("smod", ALU_MOD));
    private static final Map<String, Integer> JMP = Map.ofEntries(
            Map.entry("jeq", JMP_JEQ), Map.entry("jgt", JMP_JGT), Map.entry("jge", JMP_JGE), Map.entry("jset", JMP_JSET),
            Map.entry("jne", JMP_JNE), Map.entry("jsgt", JMP_JSGT), Map.entry("jsge", JMP_JSGE), Map.entry("jlt", JMP_JLT),
            Map.entry("jle", JMP_JLE), Map.entry("jslt", JMP_JSLT), Map.entry("jsle", JMP_JSLE));
    private static final Map<String, Integer> SIZES = Map.of("b", SIZE_B, "h", SIZE_H, "w", SIZE_W, "dw", SIZE_DW);
    private static final Map<String, Integer> ATOMICS = Map.of(
            "lock_add", ATOMIC_ADD, "lock_or", ATOMIC_OR, "lock_and", ATOMIC_AND, "lock_xor", ATOMIC_XOR,
            "fetch_add", ATOMIC_ADD | ATOMIC_FETCH, "fetch_or", ATOMIC_OR | ATOMIC_FETCH,
            "fetch_and", ATOMIC_AND | ATOMIC_FETCH, "fetch_xor", ATOMIC_XOR | ATOMIC_FETCH,
            "xchg", ATOMIC_XCHG, "cmpxchg", ATOMIC_CMPXCHG);

    private static void assembleOne(String m, String rest, int pc, Map<String, Integer> labels, long[] out) {
        String[] a = rest.isEmpty() ? new String[0] : rest.split("\\s*,\\s*");
        boolean w32 = m.endsWith("32") && !m.startsWith("be") && !m.startsWith("le") && !m.startsWith("bswap");
        String base = w32 ? m.substring(0, m.length() - 2) : m.endsWith("64") && !m.startsWith("bswap")
                && !m.startsWith("be") && !m.startsWith("le") ? m.substring(0, m.length() - 2) : m;
        switch (base) {
            case "exit" -> out[pc] = encode(EXIT, 0, 0, 0, 0);
            case "ja" -> out[pc] = encode(JA, 0, 0, target(a[0], pc, labels), 0);
            case "gotol" -> out[pc] = encode(GOTOL, 0, 0, 0, target(a[0], pc, labels));
            case "callx" -> out[pc] = encode(CALLX, reg(a[0]), 0, 0, 0);
            case "call" -> {
                if (a[0].startsWith("local")) {
                    out[pc] = encode(CALL, 0, CALL_LOCAL, 0, target(a[0].substring(5).trim(), pc, labels));
                } else {
                    out[pc] = encode(CALL, 0, CALL_HELPER, 0, (int) num(a[0]));
                }
            }
            case "neg" -> out[pc] = encode((w32 ? CLS_ALU : CLS_ALU64) | ALU_NEG, reg(a[0]), 0, 0, 0);
            case "be16", "be32", "be64", "le16", "le32", "le64" ->
                    out[pc] = encode(CLS_ALU | ALU_END | (m.startsWith("be") ? SRC_X : SRC_K), reg(a[0]), 0, 0,
                            Integer.parseInt(m.substring(2)));
            case "bswap16", "bswap32", "bswap64" ->
                    out[pc] = encode(CLS_ALU64 | ALU_END, reg(a[0]), 0, 0, Integer.parseInt(m.substring(5)));
            case "movsx" -> out[pc] = encode((w32 ? CLS_ALU : CLS_ALU64) | ALU_MOV | SRC_X, reg(a[0]), reg(a[1]),
                    (int) num(a[2]), 0);
            case "lddw" -> {
                int d = reg(a[0]);
                if (a[1].startsWith("mapval")) {
                    out[pc] = encode(LDDW, d, PSEUDO_MAP_VALUE, 0, (int) num(a[1].substring(6).trim()));
                    out[pc + 1] = encode(0, 0, 0, 0, (int) num(a[2]));
                } else if (a[1].startsWith("map")) {
                    out[pc] = encode(LDDW, d, PSEUDO_MAP_FD, 0, (int) num(a[1].substring(3).trim()));
                    out[pc + 1] = 0;
                } else {
                    long v = num(a[1]);
                    out[pc] = encode(LDDW, d, 0, 0, (int) v);
                    out[pc + 1] = encode(0, 0, 0, 0, (int) (v >>> 32));
                }
            }
            default -> {
                if (ALU.containsKey(base)) {
                    int off = base.equals("sdiv") || base.equals("smod") ? 1 : 0;
                    int cls = w32 ? CLS_ALU : CLS_ALU64;
                    if (isReg(a[1])) {
                        out[pc] = encode(cls | ALU.get(base) | SRC_X, reg(a[0]), reg(a[1]), off, 0);
                    } else {
                        out[pc] = encode(cls | ALU.get(base), reg(a[0]), 0, off, (int) num(a[1]));
                    }
                } else if (JMP.containsKey(base)) {
                    int cls = w32 ? CLS_JMP32 : CLS_JMP;
                    int t = target(a[2], pc, labels);
                    if (isReg(a[1])) {
                        out[pc] = encode(cls | JMP.get(base) | SRC_X, reg(a[0]), reg(a[1]), t, 0);
                    } else {
                        out[pc] = encode(cls | JMP.get(base), reg(a[0]), 0, t, (int) num(a[1]));
                    }
                } else if (m.startsWith("ldxs")) {
                    int[] mem = mem(a[1]);
                    out[pc] = encode(CLS_LDX | MODE_MEMSX | SIZES.get(m.substring(4)), reg(a[0]), mem[0], mem[1], 0);
                } else if (m.startsWith("ldx")) {
                    int[] mem = mem(a[1]);
                    out[pc] = encode(CLS_LDX | MODE_MEM | SIZES.get(m.substring(3)), reg(a[0]), mem[0], mem[1], 0);
                } else if (m.startsWith("stx")) {
                    int[] mem = mem(a[0]);
                    out[pc] = encode(CLS_STX | MODE_MEM | SIZES.get(m.substring(3)), mem[0], reg(a[1]), mem[1], 0);
                } else if (m.startsWith("st")) {
                    int[] mem = mem(a[0]);
                    out[pc] = encode(CLS_ST | MODE_MEM | SIZES.get(m.substring(2)), mem[0], 0, mem[1], (int) num(a[1]));
                } else if (ATOMICS.containsKey(base)) {
                    int[] mem = mem(a[0]);
                    out[pc] = encode(CLS_STX | MODE_ATOMIC | (w32 ? SIZE_W : SIZE_DW), mem[0], reg(a[1]), mem[1],
                            ATOMICS.get(base));
                } else {
                    throw new IllegalArgumentException("unknown mnemonic " + m);
                }
            }
        }
    }

    private static boolean isReg(String s) {
        return s.matches("r\\d+");
    }

    private static int reg(String s) {
        if (!isReg(s)) {
            throw new IllegalArgumentException("not a register: " + s);
        }
        return Integer.parseInt(s.substring(1));
    }

    /** "[r1+4]" -> {1, 4}. */
    private static int[] mem(String s) {
        String inner = s.replaceAll("[\\[\\]\\s]", "");
        int sign = Math.max(inner.indexOf('+'), inner.indexOf('-'));
        if (sign < 0) {
            return new int[] {reg(inner), 0};
        }
        return new int[] {reg(inner.substring(0, sign)), (int) num(inner.substring(sign))};
    }

    private static int target(String s, int pc, Map<String, Integer> labels) {
        if (s.startsWith("+") || s.startsWith("-")) {
            return Integer.parseInt(s);
        }
        Integer at = labels.get(s);
        if (at == null) {
            throw new IllegalArgumentException("unknown label " + s);
        }
        return at - pc - 1;
    }

    static long num(String s) {
        s = s.trim().replace("+", "");
        boolean neg = s.startsWith("-");
        if (neg) {
            s = s.substring(1);
        }
        long v = s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseUnsignedLong(s);
        return neg ? -v : v;
    }
}
