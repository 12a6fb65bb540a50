package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

/**
 * Renders instructions in the kernel's verifier-log style ({@code r0 += r1}, {@code r2 = *(u32 *)(r1 +4)}),
 * which is what faults and the {@code disasm} command print. Never throws: unknown encodings render as
 * {@code invalid opcode 0x..}.
 */
public final class Disassembler {
    private Disassembler() {}

    /** Disassembles the instruction at {@code pc} of a slot array (an lddw reads the next slot too). */
    public static String disassemble(long[] slots, int pc) {
        if (pc < 0 || pc >= slots.length) {
            return "<pc " + pc + " outside program>";
        }
        long s = slots[pc];
        long next = pc + 1 < slots.length ? slots[pc + 1] : 0;
        return disassemble(s, next, pc);
    }

    /** Disassembles one instruction; {@code next} is the following slot (used only by lddw). */
    public static String disassemble(long slot, long next, int pc) {
        int op = opcode(slot), dst = dst(slot), src = src(slot), off = offset(slot), imm = imm(slot);
        switch (cls(op)) {
            case CLS_ALU, CLS_ALU64 -> {
                boolean w64 = cls(op) == CLS_ALU64;
                String d = (w64 ? "r" : "w") + dst;
                String s = isReg(op) ? (w64 ? "r" : "w") + src : Integer.toString(imm);
                return switch (aluOp(op)) {
                    case ALU_ADD -> d + " += " + s;
                    case ALU_SUB -> d + " -= " + s;
                    case ALU_MUL -> d + " *= " + s;
                    case ALU_DIV -> d + (off == 1 ? " s/= " : " /= ") + s;
                    case ALU_OR -> d + " |= " + s;
                    case ALU_AND -> d + " &= " + s;
                    case ALU_LSH -> d + " <<= " + s;
                    case ALU_RSH -> d + " >>= " + s;
                    case ALU_NEG -> d + " = -" + d;
                    case ALU_MOD -> d + (off == 1 ? " s%= " : " %= ") + s;
                    case ALU_XOR -> d + " ^= " + s;
                    case ALU_MOV -> off == 0 ? d + " = " + s : d + " = (s" + off + ")" + s;
                    case ALU_ARSH -> d + " s>>= " + s;
                    case ALU_END -> w64 ? "r" + dst + " = bswap" + imm + " r" + dst
                            : "r" + dst + " = " + (isReg(op) ? "be" : "le") + imm + " r" + dst;
                    default -> invalid(op);
                };
            }
            case CLS_JMP, CLS_JMP32 -> {
                boolean w32 = cls(op) == CLS_JMP32;
                if (op == CALL) {
                    return src == CALL_LOCAL ? "call pc" + signed(imm) + " ; -> " + (pc + 1 + imm)
                            : "call " + imm + helperName(imm);
                }
                if (op == CALLX) {
                    return "callx r" + dst;
                }
                if (op == EXIT) {
                    return "exit";
                }
                if (op == JA) {
                    return "goto pc" + signed(off) + " ; -> " + (pc + 1 + off);
                }
                if (op == GOTOL) {
                    return "gotol pc" + signed(imm) + " ; -> " + (pc + 1 + imm);
                }
                String cmp = switch (aluOp(op)) {
                    case JMP_JEQ -> "==";
                    case JMP_JGT -> ">";
                    case JMP_JGE -> ">=";
                    case JMP_JSET -> "&";
                    case JMP_JNE -> "!=";
                    case JMP_JSGT -> "s>";
                    case JMP_JSGE -> "s>=";
                    case JMP_JLT -> "<";
                    case JMP_JLE -> "<=";
                    case JMP_JSLT -> "s<";
                    case JMP_JSLE -> "s<=";
                    default -> null;
                };
                if (cmp == null) {
                    return invalid(op);
                }
                String p = w32 ? "w" : "r";
                String s = isReg(op) ? p + src : Integer.toString(imm);
                return "if " + p + dst + " " + cmp + " " + s + " goto pc" + signed(off) + " ; -> " + (pc + 1 + off);
            }
            case CLS_LD -> {
                if (op != LDDW) {
                    return invalid(op);
                }
                long value = (imm & 0xffffffffL) | ((long) imm(next) << 32);
                return switch (src) {
                    case PSEUDO_MAP_FD -> "r" + dst + " = map[" + imm + "] ll";
                    case PSEUDO_MAP_VALUE -> "r" + dst + " = map_value[" + imm + "]+" + imm(next) + " ll";
                    default -> "r" + dst + " = 0x" + Long.toHexString(value) + " ll";
                };
            }
            case CLS_LDX -> {
                String t = (mode(op) == MODE_MEMSX ? "s" : "u") + widthBytes(op) * 8;
                if (mode(op) != MODE_MEM && mode(op) != MODE_MEMSX) {
                    return invalid(op);
                }
                return "r" + dst + " = *(" + t + " *)(r" + src + " " + signed(off) + ")";
            }
            case CLS_ST -> {
                return "*(u" + widthBytes(op) * 8 + " *)(r" + dst + " " + signed(off) + ") = " + imm;
            }
            default -> { // CLS_STX
                String mem = "*(u" + widthBytes(op) * 8 + " *)(r" + dst + " " + signed(off) + ")";
                if (mode(op) == MODE_MEM) {
                    return mem + " = r" + src;
                }
                if (mode(op) != MODE_ATOMIC) {
                    return invalid(op);
                }
                String r = (size(op) == SIZE_DW ? "r" : "w") + src;
                return switch (imm) {
                    case ATOMIC_ADD -> "lock " + mem + " += " + r;
                    case ATOMIC_OR -> "lock " + mem + " |= " + r;
                    case ATOMIC_AND -> "lock " + mem + " &= " + r;
                    case ATOMIC_XOR -> "lock " + mem + " ^= " + r;
                    case ATOMIC_ADD | ATOMIC_FETCH -> r + " = atomic_fetch_add(" + mem + ", " + r + ")";
                    case ATOMIC_OR | ATOMIC_FETCH -> r + " = atomic_fetch_or(" + mem + ", " + r + ")";
                    case ATOMIC_AND | ATOMIC_FETCH -> r + " = atomic_fetch_and(" + mem + ", " + r + ")";
                    case ATOMIC_XOR | ATOMIC_FETCH -> r + " = atomic_fetch_xor(" + mem + ", " + r + ")";
                    case ATOMIC_XCHG -> r + " = xchg(" + mem + ", " + r + ")";
                    case ATOMIC_CMPXCHG -> "r0 = cmpxchg(" + mem + ", r0, " + r + ")";
                    default -> "invalid atomic op 0x" + Integer.toHexString(imm);
                };
            }
        }
    }

    /** Whole-program listing, one instruction per line prefixed by its pc. */
    public static String listing(long[] slots) {
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < slots.length; pc++) {
            sb.append(String.format("%5d: %s%n", pc, disassemble(slots, pc)));
            if (opcode(slots[pc]) == LDDW) {
                pc++;
            }
        }
        return sb.toString();
    }

    private static String helperName(int id) {
        String name = Helpers.name(id);
        return name == null ? "" : " ; " + name;
    }

    private static String signed(int v) {
        return v >= 0 ? "+" + v : Integer.toString(v);
    }

    private static String invalid(int op) {
        return "invalid opcode 0x" + Integer.toHexString(op);
    }
}
