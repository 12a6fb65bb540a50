package io.jxrp.ebpf;

import java.util.List;

/**
 * One type of an object's BTF: an integer, pointer, array, struct, union, enum, typedef, qualifier,
 * function, variable or data section. Types refer to each other by id; {@link #target()},
 * {@link #members()} and {@link #resolved()} follow the references within the same {@link BtfTypes}.
 */
public final class BtfType {
    /** BTF kinds, in their numeric order (kind 0 is void). */
    public enum Kind {
        VOID, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR,
        DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64
    }

    /**
     * A struct or union member. {@code bitOffset} counts from the start of the enclosing type;
     * {@code bitSize} is non-zero for a bitfield. Anonymous members (nested unnamed structs and
     * unions) have an empty name.
     */
    public record Member(String name, BtfType type, long bitOffset, int bitSize) {
        /** Byte offset of the member (of the byte holding its first bit, for a bitfield). */
        public long offset() {
            return bitOffset / 8;
        }

        public boolean isBitfield() {
            return bitSize != 0;
        }
    }

    /** An enumerator of an ENUM or ENUM64. */
    public record Enumerator(String name, long value) {}

    final BtfTypes types;
    private final int id;
    private final Kind kind;
    private final String name;
    /** Size in bytes (INT, STRUCT, UNION, ENUM, FLOAT, DATASEC), else the referenced type id. */
    private final long sizeOrType;
    // INT
    final boolean signed, isChar, isBool;
    final int intBits, intOffset;
    // ARRAY
    final int elementId;
    final long length;
    // STRUCT, UNION, ENUM, FUNC_PROTO (params as members with zero offsets), DATASEC (entries as members)
    List<Member> members = List.of();
    List<Enumerator> enumerators = List.of();

    BtfType(BtfTypes types, int id, Kind kind, String name, long sizeOrType, boolean signed, boolean isChar,
            boolean isBool, int intBits, int intOffset, int elementId, long length) {
        this.types = types;
        this.id = id;
        this.kind = kind;
        this.name = name;
        this.sizeOrType = sizeOrType;
        this.signed = signed;
        this.isChar = isChar;
        this.isBool = isBool;
        this.intBits = intBits;
        this.intOffset = intOffset;
        this.elementId = elementId;
        this.length = length;
    }

    public int id() { return id; }

    public Kind kind() { return kind; }

    /** The name, empty for anonymous types. */
    public String name() { return name; }

    /** Members of a struct or union (or entries of a data section), in declaration order. */
    public List<Member> members() { return members; }

    /** Enumerators of an enum. */
    public List<Enumerator> enumerators() { return enumerators; }

    /** Elements of an array. */
    public long length() { return length; }

    /** For integers and enums: whether the value is signed. */
    public boolean isSigned() { return signed; }

    /**
     * What this type refers to: the pointee of a pointer, the element of an array, the type a
     * typedef, qualifier, variable or function names; null for the others.
     */
    public BtfType target() {
        return switch (kind) {
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC, VAR, DECL_TAG -> types.type((int) sizeOrType);
            case ARRAY -> types.type(elementId);
            case FUNC_PROTO -> types.type((int) sizeOrType);
            default -> null;
        };
    }

    /** This type with typedefs and qualifiers (const, volatile, restrict, type tags) stripped. */
    public BtfType resolved() {
        BtfType t = this;
        for (int depth = 0; depth < 64; depth++) {
            switch (t.kind) {
                case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> t = t.target();
                default -> {
                    return t;
                }
            }
        }
        throw new IllegalStateException("BTF type chain too long at " + id);
    }

    /** Size in bytes; pointers are 8 bytes (BPF), arrays their elements times length; -1 where none (void, functions). */
    public long size() {
        BtfType t = resolved();
        return switch (t.kind) {
            case INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC -> t.sizeOrType;
            case PTR -> 8;
            case ARRAY -> {
                long element = t.target().size();
                yield element < 0 ? -1 : element * t.length;
            }
            default -> -1;
        };
    }

    public boolean isStruct() { return kind == Kind.STRUCT; }

    public boolean isUnion() { return kind == Kind.UNION; }

    /**
     * The type as C spells it, e.g. {@code unsigned int}, {@code struct bpf_xrp}, {@code __u64},
     * {@code char *}, {@code union (anonymous)}.
     */
    public String cName() {
        return declaration("").strip();
    }

    /** A C declaration of {@code declarator} with this type: {@code __u64 next_addr[16]}, {@code char *data}. */
    public String declaration(String declarator) {
        return switch (kind) {
            case VOID -> "void" + spaced(declarator);
            case INT, FLOAT, TYPEDEF -> name + spaced(declarator);
            case STRUCT, UNION, ENUM, ENUM64, FWD -> tag() + spaced(declarator);
            case PTR -> {
                BtfType to = target();
                boolean needsParens = to.kind == Kind.ARRAY || to.kind == Kind.FUNC_PROTO;
                yield to.declaration(needsParens ? "(*" + declarator + ")" : "*" + declarator);
            }
            case ARRAY -> target().declaration(declarator + "[" + length + "]");
            case CONST, VOLATILE, RESTRICT -> {
                String q = kind.name().toLowerCase(java.util.Locale.ROOT);
                BtfType to = target();
                yield to.kind == Kind.PTR ? to.declaration(q + " " + declarator) : q + " " + to.declaration(declarator);
            }
            case TYPE_TAG -> target().declaration(declarator);
            case FUNC_PROTO -> {
                StringBuilder params = new StringBuilder();
                for (Member m : members) {
                    params.append(params.isEmpty() ? "" : ", ").append(m.type() == null ? "..." : m.type().declaration(m.name()));
                }
                yield target().declaration(declarator + "(" + (params.isEmpty() ? "void" : params) + ")");
            }
            case FUNC, VAR -> target().declaration(name);
            case DATASEC -> "section " + name;
            case DECL_TAG -> "__attribute__((btf_decl_tag(\"" + name + "\")))";
        };
    }

    private String tag() {
        String word = switch (kind) {
            case STRUCT -> "struct";
            case UNION -> "union";
            case FWD -> signed ? "union" : "struct"; // a FWD's kind flag: 1 for a union
            default -> "enum";
        };
        return word + " " + (name.isEmpty() ? "(anonymous)" : name);
    }

    private static String spaced(String declarator) {
        return declarator.isEmpty() ? "" : declarator.startsWith("*") || declarator.startsWith("(") ? " " + declarator : " " + declarator;
    }

    @Override
    public String toString() {
        return "[" + id + "] " + kind + " " + cName() + (size() >= 0 ? " (" + size() + " B)" : "");
    }
}
