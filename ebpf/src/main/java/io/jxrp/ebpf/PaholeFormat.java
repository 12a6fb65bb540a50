package io.jxrp.ebpf;

/**
 * Prints a struct or union the way {@code pahole} does: one line per member with its offset and
 * size in a comment, anonymous nested structs and unions expanded in place, bitfields with their
 * bit position, holes and trailing padding, cacheline boundaries and a summary.
 */
final class PaholeFormat {
    private PaholeFormat() {}

    private static final int CACHELINE = 64;
    private static final int TYPE_WIDTH = 26, NAME_WIDTH = 21;

    static String describe(BtfType layout) {
        StringBuilder out = new StringBuilder();
        out.append(layout.cName()).append(" {\n");
        Stats stats = new Stats();
        body(out, layout, 0, 1, stats);
        long size = layout.size();
        out.append('\n');
        out.append("\t/* size: ").append(size).append(", cachelines: ").append((size + CACHELINE - 1) / CACHELINE)
                .append(", members: ").append(layout.members().size()).append(" */\n");
        if (stats.holes > 0) {
            out.append("\t/* sum members: ").append(stats.memberBytes).append(", holes: ").append(stats.holes)
                    .append(", sum holes: ").append(stats.holeBytes).append(" */\n");
        }
        if (stats.bitHoles > 0) {
            out.append("\t/* bit holes: ").append(stats.bitHoles).append(", sum bit holes: ").append(stats.bitHoleBits).append(" bits */\n");
        }
        if (stats.padding > 0) {
            out.append("\t/* padding: ").append(stats.padding).append(" */\n");
        }
        if (size % CACHELINE != 0) {
            out.append("\t/* last cacheline: ").append(size % CACHELINE).append(" bytes */\n");
        }
        out.append("};\n");
        return out.toString();
    }

    private static final class Stats {
        long memberBytes, holeBytes, padding, bitHoleBits;
        int holes, bitHoles;
        long nextBoundary = CACHELINE;
    }

    /** Members of {@code layout} at byte {@code base}, indented {@code depth} tabs. */
    private static void body(StringBuilder out, BtfType layout, long baseBits, int depth, Stats stats) {
        boolean union = layout.isUnion();
        long endBits = baseBits; // the end of what the members so far cover
        for (BtfType.Member m : layout.members()) {
            long bit = baseBits + m.bitOffset();
            long offset = bit / 8;
            BtfType r = m.type().resolved();
            long size = m.type().size();
            if (!union && depth == 1) {
                if (bit > endBits) {
                    long gapBits = bit - endBits;
                    if (gapBits >= 8 && endBits % 8 == 0) {
                        tabs(out, depth).append("/* XXX ").append(gapBits / 8).append(" byte").append(gapBits / 8 == 1 ? "" : "s")
                                .append(" hole, try to pack */\n");
                        stats.holes++;
                        stats.holeBytes += gapBits / 8;
                    } else {
                        tabs(out, depth).append("/* XXX ").append(gapBits).append(" bit").append(gapBits == 1 ? "" : "s")
                                .append(" hole, try to pack */\n");
                        stats.bitHoles++;
                        stats.bitHoleBits += gapBits;
                    }
                }
                if (offset >= stats.nextBoundary) { // the last boundary this member starts at or after
                    long boundary = offset / CACHELINE * CACHELINE;
                    tabs(out, depth).append("/* --- cacheline ").append(boundary / CACHELINE).append(" boundary (").append(boundary)
                            .append(" bytes)").append(offset > boundary ? " was " + (offset - boundary) + " bytes ago" : "")
                            .append(" --- */\n");
                    stats.nextBoundary = boundary + CACHELINE;
                }
            }
            if (m.name().isEmpty() && (r.isStruct() || r.isUnion())) {
                tabs(out, depth).append(r.isUnion() ? "union" : "struct").append(" {\n");
                body(out, r, bit, depth + 1, stats);
                String close = tabs(new StringBuilder(), depth).append("};").toString();
                out.append(pad(close, depth, 8 + TYPE_WIDTH + 1 + NAME_WIDTH)).append(comment(offset, size)).append('\n');
            } else if (m.isBitfield()) {
                String type = m.type().cName();
                String line = tabs(new StringBuilder(), depth) + padRight(type, TYPE_WIDTH - 8 * (depth - 1)) + " "
                        + padRight(m.name() + ":" + m.bitSize() + ";", NAME_WIDTH);
                out.append(line).append(String.format(" /* %5d:%2d %4d */", offset, bit % 8, size)).append('\n');
            } else {
                String decl = declaration(m, depth);
                out.append(tabs(new StringBuilder(), depth)).append(decl).append(comment(offset, size)).append('\n');
            }
            long memberEnd = m.isBitfield() ? bit + m.bitSize() : bit + Math.max(0, size) * 8;
            if (depth == 1) {
                stats.memberBytes += m.isBitfield() ? 0 : Math.max(0, size);
            }
            endBits = union ? Math.max(endBits, memberEnd) : Math.max(endBits, memberEnd);
        }
        if (depth == 1) {
            // Bitfields: count their storage once, rounded up to whole bytes.
            long bitfieldBits = 0;
            for (BtfType.Member m : layout.members()) {
                bitfieldBits += m.isBitfield() ? m.bitSize() : 0;
            }
            stats.memberBytes += (bitfieldBits + 7) / 8;
            long sizeBits = layout.size() * 8;
            if (!union && sizeBits > endBits) {
                stats.padding = (sizeBits - endBits) / 8;
            }
        }
    }

    /** {@code type name;} in pahole's columns: pointer stars stay with the type, array bounds with the name. */
    private static String declaration(BtfType.Member m, int depth) {
        String type, name;
        BtfType t = m.type();
        StringBuilder dims = new StringBuilder();
        while (t.kind() == BtfType.Kind.ARRAY) {
            dims.append('[').append(t.length()).append(']');
            t = t.target();
        }
        BtfType pointee = t.kind() == BtfType.Kind.PTR ? t.target().resolved() : null;
        if (pointee != null && (pointee.kind() == BtfType.Kind.FUNC_PROTO || pointee.kind() == BtfType.Kind.ARRAY)) {
            type = "";
            name = m.type().declaration(m.name()); // int (*fn)(int): the whole declarator
        } else {
            type = t.cName();
            name = m.name() + dims;
        }
        return padRight(type, TYPE_WIDTH - 8 * (depth - 1)) + " " + padRight(name + ";", NAME_WIDTH);
    }

    private static String comment(long offset, long size) {
        return String.format(" /* %5d %5d */", offset, Math.max(0, size));
    }

    private static StringBuilder tabs(StringBuilder out, int depth) {
        return out.append("\t".repeat(depth));
    }

    private static String pad(String s, int depth, int width) {
        int visible = s.length() - depth + depth * 8;
        return visible >= width ? s : s + " ".repeat(width - visible);
    }

    private static String padRight(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
