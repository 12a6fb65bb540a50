package io.jxrp.ebpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of BTF (the {@code .BTF} section) needed to read BTF-defined maps. Clang 14 leaves the
 * {@code .maps} section zero-filled: a map's type, sizes and capacity live only here, encoded as
 * the struct members {@code __uint(name, n)} ({@code int (*name)[n]}) and {@code __type(name, T)}
 * ({@code T *name}).
 *
 * <pre>
 * header (24 B)                            type record (12 B, then kind-specific data)
 *  0 magic u16 = 0xeb9f                     0 name_off u32
 *  2 version u8, 3 flags u8                 4 info u32: vlen = bits 0-15, kind = bits 24-28
 *  4 hdr_len u32                            8 size or type u32
 *  8 type_off u32, 12 type_len u32        kind data: INT +4; ARRAY +12 (type, index_type, nelems);
 * 16 str_off u32,  20 str_len u32           STRUCT/UNION +12*vlen (name_off, type, offset);
 *  (offsets relative to the header end)     ENUM +8*vlen; FUNC_PROTO +8*vlen; VAR +4;
 *                                           DATASEC +12*vlen (type, offset, size); DECL_TAG +4; ENUM64 +12*vlen
 * </pre>
 */
final class Btf {
    static final int KIND_INT = 1, KIND_PTR = 2, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5, KIND_ENUM = 6,
            KIND_FWD = 7, KIND_TYPEDEF = 8, KIND_VOLATILE = 9, KIND_CONST = 10, KIND_RESTRICT = 11, KIND_FUNC = 12,
            KIND_FUNC_PROTO = 13, KIND_VAR = 14, KIND_DATASEC = 15, KIND_FLOAT = 16, KIND_DECL_TAG = 17,
            KIND_TYPE_TAG = 18, KIND_ENUM64 = 19;
    private static final int MAX_TYPES = 1 << 20;

    /** A map declared in {@code .maps}. */
    record MapDef(String name, long type, long keySize, long valueSize, long maxEntries, long flags) {}

    private final ElfFile elf;
    private final byte[] b;
    private final int base;       // start of .BTF in the file
    private final long strStart, strLen;
    // Per type id (index 0 is void).
    private final List<Integer> kind = new ArrayList<>();
    private final List<Long> nameOff = new ArrayList<>();
    private final List<Integer> vlen = new ArrayList<>();
    private final List<Long> sizeOrType = new ArrayList<>();
    private final List<Long> extra = new ArrayList<>();
    private final List<Boolean> kindFlag = new ArrayList<>();

    private Btf(ElfFile elf, ElfFile.Section section) throws BpfLoadException {
        this.elf = elf;
        this.b = elf.bytes;
        this.base = (int) section.offset();
        if (section.type() == ElfFile.SHT_NOBITS || section.size() < 24 || elf.u16(base) != 0xeb9f) {
            throw elf.error(".BTF: bad magic or too short");
        }
        long hdrLen = elf.u32(base + 4);
        long typeOff = elf.u32(base + 8), typeLen = elf.u32(base + 12);
        long strOff = elf.u32(base + 16);
        strLen = elf.u32(base + 20);
        if (hdrLen + typeOff + typeLen > section.size() || hdrLen + strOff + strLen > section.size()) {
            throw elf.error(".BTF: type or string area outside the section");
        }
        strStart = base + hdrLen + strOff;
        kind.add(0);
        nameOff.add(0L);
        vlen.add(0);
        sizeOrType.add(0L);
        extra.add(0L);
        kindFlag.add(false);
        long at = base + hdrLen + typeOff;
        long end = at + typeLen;
        while (at < end) {
            if (kind.size() > MAX_TYPES) {
                throw elf.error(".BTF: more than " + MAX_TYPES + " types");
            }
            long info = elf.u32(at + 4);
            int k = (int) ((info >>> 24) & 0x1f);
            int n = (int) (info & 0xffff);
            kind.add(k);
            kindFlag.add((info >>> 31) != 0);
            nameOff.add(elf.u32(at));
            vlen.add(n);
            sizeOrType.add(elf.u32(at + 8));
            at += 12;
            extra.add(at);
            at += switch (k) {
                case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
                case KIND_ARRAY -> 12;
                case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12L * n;
                case KIND_ENUM, KIND_FUNC_PROTO -> 8L * n;
                case KIND_PTR, KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC,
                     KIND_FLOAT, KIND_TYPE_TAG -> 0;
                default -> throw elf.error(".BTF: type " + (kind.size() - 1) + " has unknown kind " + k);
            };
        }
        if (at != end) {
            throw elf.error(".BTF: type area ends inside a type record");
        }
    }

    // ---- raw records, for BtfTypes ----

    int typeCount() { return kind.size(); }
    int kind(int id) { return kind.get(id); }
    int vlen(int id) { return vlen.get(id); }
    long sizeOrType(int id) { return sizeOrType.get(id); }
    boolean kindFlag(int id) { return kindFlag.get(id); }
    /** File offset of the kind-specific data after type {@code id}'s 12-byte record. */
    long extra(int id) { return extra.get(id); }
    long u32(long at) throws BpfLoadException { return elf.u32(at); }
    String string(long off) throws BpfLoadException { return memberName(off); }
    BpfLoadException error(String message) { return elf.error(".BTF: " + message); }

    static Btf parse(ElfFile elf) throws BpfLoadException {
        ElfFile.Section s = elf.section(".BTF");
        return s == null ? null : new Btf(elf, s);
    }

    String name(int id) throws BpfLoadException {
        long off = nameOff.get(id);
        if (off >= strLen) {
            throw elf.error(".BTF: name offset " + off + " outside the string area");
        }
        int start = (int) (strStart + off);
        int endLimit = (int) (strStart + strLen);
        int e = start;
        while (e < endLimit && b[e] != 0) {
            e++;
        }
        return new String(b, start, e - start, StandardCharsets.UTF_8);
    }

    private int checkId(long id) throws BpfLoadException {
        if (id <= 0 || id >= kind.size()) {
            throw elf.error(".BTF: type id " + id + " out of range");
        }
        return (int) id;
    }

    /** Follows typedefs and qualifiers. */
    private int resolve(long id) throws BpfLoadException {
        int t = checkId(id);
        for (int depth = 0; depth < 64; depth++) {
            int k = kind.get(t);
            if (k != KIND_TYPEDEF && k != KIND_VOLATILE && k != KIND_CONST && k != KIND_RESTRICT && k != KIND_TYPE_TAG) {
                return t;
            }
            t = checkId(sizeOrType.get(t));
        }
        throw elf.error(".BTF: type chain too long at " + id);
    }

    long sizeOf(long id) throws BpfLoadException {
        return sizeOf(id, 0);
    }

    private long sizeOf(long id, int depth) throws BpfLoadException {
        if (depth > 64) {
            throw elf.error(".BTF: type nesting too deep at " + id);
        }
        int t = resolve(id);
        return switch (kind.get(t)) {
            case KIND_STRUCT, KIND_UNION -> checkedAggregateSize(t, depth);
            case KIND_INT, KIND_ENUM, KIND_ENUM64, KIND_FLOAT, KIND_DATASEC -> sizeOrType.get(t);
            case KIND_PTR -> 8;
            case KIND_ARRAY -> elf.u32(extra.get(t) + 8) * sizeOf(elf.u32(extra.get(t)), depth + 1);
            default -> throw elf.error(".BTF: type " + t + " (kind " + kind.get(t) + ") has no size");
        };
    }

    /**
     * A struct's or union's declared size, refused when a member ends past it: clang computes sizes in
     * bits, so a type of 512 MiB or more gets a truncated size (a 1 GiB struct is declared as 0 B).
     */
    private long checkedAggregateSize(int t, int depth) throws BpfLoadException {
        long declared = sizeOrType.get(t);
        long at = extra.get(t);
        for (int i = 0; i < vlen.get(t); i++) {
            long m = at + 12L * i;
            long offsetBits = elf.u32(m + 8);
            long bitfieldBits = kindFlag.get(t) ? offsetBits >>> 24 : 0; // with kind_flag: size << 24 | offset
            offsetBits = kindFlag.get(t) ? offsetBits & 0xffffff : offsetBits;
            long end = bitfieldBits > 0 ? (offsetBits + bitfieldBits + 7) / 8
                    : offsetBits / 8 + sizeOf(elf.u32(m + 4), depth + 1);
            if (end > declared) {
                throw elf.error(".BTF: " + (kind.get(t) == KIND_UNION ? "union " : "struct ") + name(t) + " is declared "
                        + declared + " B but member " + memberName(elf.u32(m)) + " ends at " + end + " B (clang truncates "
                        + "the size of a type of 512 MiB or more)");
            }
        }
        return declared;
    }

    /** The maps of the {@code .maps} data section, in section order. */
    List<MapDef> maps() throws BpfLoadException {
        List<MapDef> out = new ArrayList<>();
        for (int id = 1; id < kind.size(); id++) {
            if (kind.get(id) != KIND_DATASEC || !name(id).equals(".maps")) {
                continue;
            }
            long at = extra.get(id);
            for (int i = 0; i < vlen.get(id); i++) {
                int var = checkId(elf.u32(at + 12L * i));
                if (kind.get(var) != KIND_VAR) {
                    throw elf.error(".BTF: .maps entry " + i + " is not a variable");
                }
                out.add(mapDef(name(var), resolve(sizeOrType.get(var))));
            }
        }
        return out;
    }

    private MapDef mapDef(String mapName, int struct) throws BpfLoadException {
        if (kind.get(struct) != KIND_STRUCT) {
            throw elf.error("map " + mapName + ": definition is not a struct");
        }
        long type = -1, keySize = -1, valueSize = -1, maxEntries = -1, flags = 0;
        long at = extra.get(struct);
        for (int i = 0; i < vlen.get(struct); i++) {
            long m = at + 12L * i;
            String member = memberName(elf.u32(m));
            long memberType = elf.u32(m + 4);
            switch (member) {
                case "type" -> type = arrayLength(mapName, member, memberType);
                case "max_entries" -> maxEntries = arrayLength(mapName, member, memberType);
                case "key_size" -> keySize = arrayLength(mapName, member, memberType);
                case "value_size" -> valueSize = arrayLength(mapName, member, memberType);
                case "map_flags" -> flags = arrayLength(mapName, member, memberType);
                case "key" -> keySize = pointeeSize(mapName, member, memberType);
                case "value" -> valueSize = pointeeSize(mapName, member, memberType);
                case "pinning" -> {
                    if (arrayLength(mapName, member, memberType) != 0) {
                        throw elf.error("map " + mapName + ": pinning is not supported");
                    }
                }
                default -> throw elf.error("map " + mapName + ": unsupported attribute '" + member + "'");
            }
        }
        if (type < 0 || keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw elf.error("map " + mapName + ": needs type, key (or key_size), value (or value_size) and max_entries");
        }
        return new MapDef(mapName, type, keySize, valueSize, maxEntries, flags);
    }

    private String memberName(long off) throws BpfLoadException {
        if (off >= strLen) {
            throw elf.error(".BTF: member name offset " + off + " outside the string area");
        }
        int start = (int) (strStart + off);
        int e = start;
        while (e < strStart + strLen && b[e] != 0) {
            e++;
        }
        return new String(b, start, e - start, StandardCharsets.UTF_8);
    }

    /** {@code int (*name)[n]} -> n. */
    private long arrayLength(String map, String member, long typeId) throws BpfLoadException {
        int ptr = resolve(typeId);
        if (kind.get(ptr) != KIND_PTR) {
            throw elf.error("map " + map + ": attribute " + member + " is not declared with __uint()");
        }
        int arr = resolve(sizeOrType.get(ptr));
        if (kind.get(arr) != KIND_ARRAY) {
            throw elf.error("map " + map + ": attribute " + member + " is not declared with __uint()");
        }
        return elf.u32(extra.get(arr) + 8);
    }

    /** {@code T *name} -> sizeof(T). */
    private long pointeeSize(String map, String member, long typeId) throws BpfLoadException {
        int ptr = resolve(typeId);
        if (kind.get(ptr) != KIND_PTR) {
            throw elf.error("map " + map + ": attribute " + member + " is not declared with __type()");
        }
        return sizeOf(sizeOrType.get(ptr));
    }
}
