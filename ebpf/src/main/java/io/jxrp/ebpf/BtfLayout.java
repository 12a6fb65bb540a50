package io.jxrp.ebpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A struct or union layout from BTF: its fields with their offsets, sizes and types (nested
 * structs, arrays, bitfields), and typed access to memory laid out that way.
 *
 * <pre>{@code
 * BtfLayout q = object.layout("bpfkv_multi_get").orElseThrow();
 * q.field("keys").index(3).setLong(scratch, 42);   // scratch + offsetof(keys) + 3 * 8
 * q.field("status").index(3).getLong(scratch);     // a u8, zero-extended
 * q.offsetOf("keys");                              // 96
 * }</pre>
 */
public final class BtfLayout {
    private final BtfType type;

    BtfLayout(BtfType type) {
        this.type = Objects.requireNonNull(type);
    }

    /** The struct or union. */
    public BtfType type() { return type; }

    public String name() { return type.name(); }

    /** Size in bytes. */
    public long size() { return type.size(); }

    public boolean isUnion() { return type.isUnion(); }

    /** The direct members (anonymous nested structs and unions appear as members with an empty name). */
    public List<BtfType.Member> members() { return type.members(); }

    /**
     * Every named field reachable without a name of its own in between (members of anonymous
     * nested structs and unions are fields of this layout, as in C), with offsets from the start.
     */
    public List<BtfField> fields() {
        List<BtfField> out = new ArrayList<>();
        collect(BtfField.root(this), type, out);
        return out;
    }

    private static void collect(BtfField base, BtfType layout, List<BtfField> out) {
        for (BtfType.Member m : layout.members()) {
            BtfField f = base.member(m);
            BtfType r = m.type().resolved();
            if (m.name().isEmpty() && (r.isStruct() || r.isUnion())) {
                collect(f, r, out);
            } else {
                out.add(f);
            }
        }
    }

    /**
     * The field {@code name}, or a path of them ({@code "tree.layers"}, {@code "keys[3]"}).
     *
     * @throws IllegalArgumentException if there is no such field
     */
    public BtfField field(String path) {
        return BtfField.root(this).path(path);
    }

    /** Byte offset of a field (or path). */
    public long offsetOf(String path) {
        return field(path).offset();
    }

    /** The layout as {@code pahole} prints it: members with offsets and sizes, holes, padding, cachelines. */
    public String describe() {
        return PaholeFormat.describe(type);
    }

    @Override
    public String toString() {
        return type.cName() + " (" + size() + " B, " + type.members().size() + " members)";
    }
}
