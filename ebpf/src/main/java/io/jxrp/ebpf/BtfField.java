package io.jxrp.ebpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A field of a {@link BtfLayout} at a fixed offset — or an element of one, or a field of a nested
 * struct — with typed, bounds-checked access to memory laid out that way (little-endian, as BPF
 * objects here are). Immutable; derive further with {@link #field(String)} and {@link #index(long)}.
 * Integers, enums, pointers and bitfields read and write as {@code long}s: {@link #getLong}
 * sign- or zero-extends by the field's type, {@link #setLong} refuses a value the field cannot hold.
 */
public final class BtfField {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String path;
    private final BtfType type;
    private final long bitOffset;
    private final int bitSize;

    private BtfField(String path, BtfType type, long bitOffset, int bitSize) {
        this.path = path;
        this.type = type;
        this.bitOffset = bitOffset;
        this.bitSize = bitSize;
    }

    static BtfField root(BtfLayout layout) {
        return new BtfField(layout.type().cName(), layout.type(), 0, 0);
    }

    BtfField member(BtfType.Member m) {
        return new BtfField(m.name().isEmpty() ? path : path + "." + m.name(), m.type(), bitOffset + m.bitOffset(), m.bitSize());
    }

    /** The path from the layout, e.g. {@code struct q.keys[3]}. */
    public String path() { return path; }

    /** The field's declared type (typedefs kept: {@link BtfType#resolved()} strips them). */
    public BtfType type() { return type; }

    /** Byte offset from the start of the layout (of the byte holding the first bit, for a bitfield). */
    public long offset() { return bitOffset / 8; }

    public long bitOffset() { return bitOffset; }

    /** Bits of a bitfield; 0 for an ordinary field. */
    public int bitSize() { return bitSize; }

    /** Size in bytes (of the bitfield's storage unit type, for a bitfield). */
    public long size() { return type.size(); }

    /**
     * The member {@code name} of this struct or union field (members of anonymous nested structs
     * and unions are found too, as in C); a dotted path or {@code [i]} indexes also work.
     */
    public BtfField field(String name) {
        return path(name);
    }

    BtfField path(String spec) {
        BtfField f = this;
        int i = 0;
        while (i < spec.length()) {
            char c = spec.charAt(i);
            if (c == '.') {
                i++;
                continue;
            }
            if (c == '[') {
                int close = spec.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in field path '" + spec + "'");
                }
                f = f.index(Long.parseLong(spec.substring(i + 1, close).strip()));
                i = close + 1;
                continue;
            }
            int end = i;
            while (end < spec.length() && spec.charAt(end) != '.' && spec.charAt(end) != '[') {
                end++;
            }
            f = f.named(spec.substring(i, end));
            i = end;
        }
        return f;
    }

    private BtfField named(String name) {
        BtfType r = type.resolved();
        if (!r.isStruct() && !r.isUnion()) {
            throw new IllegalArgumentException(path + " is " + type.cName() + ", not a struct or union: no field '" + name + "'");
        }
        BtfField found = find(this, r, name);
        if (found == null) {
            throw new IllegalArgumentException(r.cName() + " has no field '" + name + "'");
        }
        return found;
    }

    private static BtfField find(BtfField base, BtfType layout, String name) {
        for (BtfType.Member m : layout.members()) {
            if (m.name().equals(name)) {
                return base.member(m);
            }
            BtfType r = m.type().resolved();
            if (m.name().isEmpty() && (r.isStruct() || r.isUnion())) {
                BtfField inner = find(base.member(m), r, name);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    /**
     * Element {@code i} of this array field.
     *
     * @throws IndexOutOfBoundsException if {@code i} is outside the array
     * @throws IllegalArgumentException if the field is no array
     */
    public BtfField index(long i) {
        BtfType r = type.resolved();
        if (r.kind() != BtfType.Kind.ARRAY) {
            throw new IllegalArgumentException(path + " is " + type.cName() + ", not an array");
        }
        if (i < 0 || i >= r.length()) {
            throw new IndexOutOfBoundsException(path + "[" + i + "]: the array has " + r.length() + " elements");
        }
        BtfType element = r.target();
        return new BtfField(path + "[" + i + "]", element, bitOffset + i * element.size() * 8, 0);
    }

    /** The field's bytes within {@code memory} (which holds the whole layout from offset 0). */
    public MemorySegment slice(MemorySegment memory) {
        return memory.asSlice(offset(), size());
    }

    /** The value of an integer, enum, pointer or bitfield field, sign- or zero-extended as its type says. */
    public long getLong(MemorySegment memory) {
        BtfType r = scalarType();
        boolean signed = r.isSigned();
        if (bitSize != 0) {
            long raw = readUnit(memory);
            int shift = (int) (bitOffset - unitOffset() * 8);
            long v = (raw >>> shift) & mask(bitSize);
            return signed && bitSize < 64 && (v & (1L << (bitSize - 1))) != 0 ? v | ~mask(bitSize) : v;
        }
        long at = offset();
        return switch ((int) r.size()) {
            case 1 -> signed ? memory.get(ValueLayout.JAVA_BYTE, at) : memory.get(ValueLayout.JAVA_BYTE, at) & 0xffL;
            case 2 -> signed ? memory.get(U16, at) : memory.get(U16, at) & 0xffffL;
            case 4 -> signed ? memory.get(U32, at) : memory.get(U32, at) & 0xffffffffL;
            case 8 -> memory.get(U64, at);
            default -> throw new IllegalArgumentException(path + " (" + type.cName() + ") is " + r.size() + " bytes wide");
        };
    }

    /**
     * Stores {@code value} in an integer, enum, pointer or bitfield field.
     *
     * @throws IllegalArgumentException if the value does not fit the field (its width and signedness)
     */
    public void setLong(MemorySegment memory, long value) {
        BtfType r = scalarType();
        int bits = bitSize != 0 ? bitSize : (int) r.size() * 8;
        if (bits < 64) {
            boolean fits = r.isSigned() ? value >= -(1L << (bits - 1)) && value < (1L << (bits - 1))
                    : value >= 0 && value <= mask(bits);
            if (!fits) {
                throw new IllegalArgumentException(value + " does not fit " + path + " (" + (r.isSigned() ? "signed " : "unsigned ")
                        + bits + " bits)");
            }
        }
        if (bitSize != 0) {
            int shift = (int) (bitOffset - unitOffset() * 8);
            long m = mask(bitSize) << shift;
            writeUnit(memory, (readUnit(memory) & ~m) | ((value << shift) & m));
            return;
        }
        long at = offset();
        switch ((int) r.size()) {
            case 1 -> memory.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            case 2 -> memory.set(U16, at, (short) value);
            case 4 -> memory.set(U32, at, (int) value);
            case 8 -> memory.set(U64, at, value);
            default -> throw new IllegalArgumentException(path + " (" + type.cName() + ") is " + r.size() + " bytes wide");
        }
    }

    private BtfType scalarType() {
        BtfType r = type.resolved();
        switch (r.kind()) {
            case INT, ENUM, ENUM64, PTR -> {
                return r;
            }
            default -> throw new IllegalArgumentException(path + " is " + type.cName() + ", not an integer, enum or pointer");
        }
    }

    /** A bitfield is read through the aligned unit of its type's size that holds it (or 8 bytes when it straddles). */
    private long unitOffset() {
        long unit = Math.max(1, scalarType().size());
        long start = (bitOffset / 8) / unit * unit;
        return (bitOffset + bitSize + 7) / 8 <= start + unit ? start : bitOffset / 8;
    }

    private int unitBytes() {
        long unit = Math.max(1, scalarType().size());
        long start = unitOffset();
        return (bitOffset + bitSize + 7) / 8 <= start + unit ? (int) unit : 8;
    }

    private long readUnit(MemorySegment memory) {
        long at = unitOffset();
        return switch (unitBytes()) {
            case 1 -> memory.get(ValueLayout.JAVA_BYTE, at) & 0xffL;
            case 2 -> memory.get(U16, at) & 0xffffL;
            case 4 -> memory.get(U32, at) & 0xffffffffL;
            default -> memory.get(U64, at);
        };
    }

    private void writeUnit(MemorySegment memory, long v) {
        long at = unitOffset();
        switch (unitBytes()) {
            case 1 -> memory.set(ValueLayout.JAVA_BYTE, at, (byte) v);
            case 2 -> memory.set(U16, at, (short) v);
            case 4 -> memory.set(U32, at, (int) v);
            default -> memory.set(U64, at, v);
        }
    }

    private static long mask(int bits) {
        return bits >= 64 ? -1L : (1L << bits) - 1;
    }

    @Override
    public String toString() {
        return path + ": " + type.cName() + " at " + offset() + (bitSize != 0 ? " bit " + bitOffset % 8 + ", " + bitSize + " bits" : ", " + size() + " B");
    }
}
