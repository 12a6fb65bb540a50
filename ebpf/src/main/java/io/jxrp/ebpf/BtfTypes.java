package io.jxrp.ebpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The types an object's BTF ({@code .BTF} section) describes, as clang compiled them: among them
 * the layouts of the structs and unions a program shares with the host (a scratch page, map keys
 * and values), so host code reads field offsets from the object instead of hard-coding them.
 *
 * <pre>{@code
 * BtfLayout query = BpfObject.load(path).layout("scatter_gather").orElseThrow();
 * query.field("keys").index(i).setLong(scratch, key);      // offset and width from BTF
 * long n = query.field("n_keys").getLong(scratch);
 * }</pre>
 *
 * Works on any {@code clang -target bpf -g} object ({@link #read(Path)}), including ones whose
 * programs the loader would reject.
 */
public final class BtfTypes {
    private final String objectName;
    private final List<BtfType> types = new ArrayList<>();
    private final Map<String, BtfType> layouts = new LinkedHashMap<>();

    private BtfTypes(String objectName) {
        this.objectName = objectName;
    }

    /** The BTF of an ELF object file. */
    public static BtfTypes read(Path elfObject) throws IOException, BpfLoadException {
        return parse(elfObject.getFileName().toString(), Files.readAllBytes(elfObject));
    }

    /**
     * The BTF of an ELF object in memory.
     *
     * @throws BpfLoadException if the bytes are no BPF ELF object, it has no {@code .BTF} section
     *         (compile with {@code -g}), or the section is malformed
     */
    public static BtfTypes parse(String name, byte[] elfBytes) throws BpfLoadException {
        try {
            ElfFile elf = ElfFile.parse(name, elfBytes);
            Btf btf = Btf.parse(elf);
            if (btf == null) {
                throw elf.error("no .BTF section (compile with clang -g)");
            }
            return of(name, btf, elf);
        } catch (BpfLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BpfLoadException(name + ": malformed BTF (" + e + ")", e);
        }
    }

    static BtfTypes of(String name, Btf btf, ElfFile elf) throws BpfLoadException {
        BtfTypes t = new BtfTypes(name);
        t.build(btf, elf);
        return t;
    }

    private void build(Btf btf, ElfFile elf) throws BpfLoadException {
        int n = btf.typeCount();
        BtfType.Kind[] kinds = BtfType.Kind.values();
        types.add(new BtfType(this, 0, BtfType.Kind.VOID, "void", 0, false, false, false, 0, 0, 0, 0));
        for (int id = 1; id < n; id++) {
            int k = btf.kind(id);
            if (k <= 0 || k >= kinds.length) {
                throw btf.error("type " + id + " has unknown kind " + k);
            }
            BtfType.Kind kind = kinds[k];
            String name = btf.name(id);
            long sizeOrType = btf.sizeOrType(id);
            long at = btf.extra(id);
            BtfType t;
            switch (kind) {
                case INT -> {
                    long data = btf.u32(at);
                    int encoding = (int) (data >>> 24) & 0xf;
                    t = new BtfType(this, id, kind, name, sizeOrType, (encoding & 1) != 0, (encoding & 2) != 0,
                            (encoding & 4) != 0, (int) (data & 0xff), (int) (data >>> 16) & 0xff, 0, 0);
                }
                case ARRAY -> {
                    int element = checkRef(btf, id, btf.u32(at));
                    t = new BtfType(this, id, kind, name, 0, false, false, false, 0, 0, element, btf.u32(at + 8));
                }
                case ENUM, ENUM64, FWD -> t = new BtfType(this, id, kind, name, sizeOrType, btf.kindFlag(id), false, false, 0, 0, 0, 0);
                case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC, VAR, DECL_TAG, FUNC_PROTO ->
                        t = new BtfType(this, id, kind, name, checkRef(btf, id, sizeOrType), false, false, false, 0, 0, 0, 0);
                default -> t = new BtfType(this, id, kind, name, sizeOrType, false, false, false, 0, 0, 0, 0);
            }
            types.add(t);
        }
        // Second pass: members and enumerators, now that every id has a type.
        for (int id = 1; id < n; id++) {
            BtfType t = types.get(id);
            long at = btf.extra(id);
            int vlen = btf.vlen(id);
            switch (t.kind()) {
                case STRUCT, UNION -> {
                    List<BtfType.Member> members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        long m = at + 12L * i;
                        BtfType type = types.get(checkRef(btf, id, btf.u32(m + 4)));
                        long offset = btf.u32(m + 8);
                        long bitOffset = btf.kindFlag(id) ? offset & 0xffffff : offset;
                        int bitSize = btf.kindFlag(id) ? (int) (offset >>> 24) : 0;
                        BtfType r = type.resolved();
                        if (bitSize == 0 && r.kind() == BtfType.Kind.INT && r.intBits != r.size() * 8) {
                            bitSize = r.intBits; // the older encoding: bit size and offset in the int type
                            bitOffset += r.intOffset;
                        }
                        members.add(new BtfType.Member(btf.string(btf.u32(m)), type, bitOffset, bitSize));
                    }
                    t.members = Collections.unmodifiableList(members);
                    if (!t.name().isEmpty()) {
                        layouts.putIfAbsent(t.name(), t);
                    }
                }
                case FUNC_PROTO -> {
                    List<BtfType.Member> params = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        long p = at + 8L * i;
                        long typeId = btf.u32(p + 4);
                        params.add(new BtfType.Member(btf.string(btf.u32(p)), typeId == 0 ? null
                                : types.get(checkRef(btf, id, typeId)), 0, 0));
                    }
                    t.members = Collections.unmodifiableList(params);
                }
                case DATASEC -> {
                    // In an object file the compiler leaves variable offsets to the loader (as libbpf
                    // does, take them from the symbol table).
                    ElfFile.Section section = elf.section(t.name());
                    List<BtfType.Member> vars = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++) {
                        long v = at + 12L * i;
                        BtfType var = types.get(checkRef(btf, id, btf.u32(v)));
                        long offset = btf.u32(v + 4);
                        for (ElfFile.Symbol sym : elf.symbols) {
                            if (section != null && sym.section() == section.index() && sym.name().equals(var.name())) {
                                offset = sym.value();
                            }
                        }
                        vars.add(new BtfType.Member(var.name(), var, offset * 8, 0));
                    }
                    t.members = Collections.unmodifiableList(vars);
                }
                case ENUM, ENUM64 -> {
                    List<BtfType.Enumerator> values = new ArrayList<>(vlen);
                    boolean wide = t.kind() == BtfType.Kind.ENUM64;
                    for (int i = 0; i < vlen; i++) {
                        long e = at + (wide ? 12L : 8L) * i;
                        long value = wide ? btf.u32(e + 4) | btf.u32(e + 8) << 32
                                : t.isSigned() ? (int) btf.u32(e + 4) : btf.u32(e + 4);
                        values.add(new BtfType.Enumerator(btf.string(btf.u32(e)), value));
                    }
                    t.enumerators = Collections.unmodifiableList(values);
                }
                default -> { }
            }
        }
        // Reject reference cycles that do not pass through a struct or union (no C spelling, no size).
        checkReferenceChains(btf);
        for (BtfType t : types) {
            try {
                t.resolved();
                t.size();
            } catch (IllegalStateException e) {
                throw btf.error("type " + t.id() + ": " + e.getMessage());
            }
        }
        checkNesting(btf);
    }

    /** How deep structs and unions may hold one another by value: the kernel's MAX_RESOLVE_DEPTH. */
    static final int MAX_NESTING = 32;

    /**
     * Rejects a struct or union that holds itself by value (through members, arrays and typedefs: no
     * C type does, and every walk of its layout would recurse without end) and nesting deeper than
     * {@link #MAX_NESTING}, as the kernel's BTF check does. An iterative walk: the input is hostile.
     */
    private void checkNesting(Btf btf) throws BpfLoadException {
        int[] levels = new int[types.size()]; // 0 not seen, -1 on the walk's path, else the levels it holds (itself included)
        int[] path = new int[MAX_NESTING + 1];
        int[] next = new int[MAX_NESTING + 1]; // per path entry, the member to look at next
        for (BtfType root : types) {
            if (!(root.isStruct() || root.isUnion()) || levels[root.id()] != 0) {
                continue;
            }
            int top = 0;
            path[0] = root.id();
            next[0] = 0;
            levels[root.id()] = -1;
            while (top >= 0) {
                BtfType t = types.get(path[top]);
                List<BtfType.Member> members = t.members();
                if (next[top] == members.size()) {
                    int deepest = 0;
                    for (BtfType.Member m : members) {
                        BtfType held = heldByValue(m.type());
                        deepest = held == null ? deepest : Math.max(deepest, levels[held.id()]);
                    }
                    if (deepest + 1 > MAX_NESTING) {
                        throw btf.error("type " + t.id() + ": structs and unions nested more than " + MAX_NESTING + " deep");
                    }
                    levels[t.id()] = deepest + 1;
                    top--;
                    continue;
                }
                BtfType held = heldByValue(members.get(next[top]++).type());
                if (held == null || levels[held.id()] > 0) {
                    continue;
                }
                if (levels[held.id()] == -1) {
                    throw btf.error("type " + held.id() + " holds itself by value"
                            + (held == t ? "" : " (through type " + t.id() + ")"));
                }
                if (top + 1 == MAX_NESTING) {
                    throw btf.error("type " + root.id() + ": structs and unions nested more than " + MAX_NESTING + " deep");
                }
                top++;
                path[top] = held.id();
                next[top] = 0;
                levels[held.id()] = -1;
            }
        }
    }

    /** The struct or union a member of this type holds by value (arrays' elements included), or null. */
    private BtfType heldByValue(BtfType type) {
        BtfType t = type.resolved();
        for (int i = 0; i < types.size() && t.kind() == BtfType.Kind.ARRAY; i++) { // reference cycles are rejected before
            t = t.target().resolved();
        }
        return t.isStruct() || t.isUnion() ? t : null;
    }

    /**
     * Longest chain of references {@link BtfType#declaration} and {@link BtfType#size} may follow
     * (pointers, arrays, qualifiers, typedefs, functions); clang's objects stay far below it.
     */
    static final int MAX_CHAIN = 64;

    /**
     * Refuses a cycle, or a chain longer than {@link #MAX_CHAIN}, among the references that spelling
     * and sizing a type follow, before anything walks them recursively: pointers, arrays, qualifiers,
     * typedefs, functions and their parameters, stopping at a struct, union or enum tag. A legal
     * recursive type (through a struct: {@code struct node { struct node *next; }}) passes; a pointer
     * that points to itself, which the size check passes (a pointer is 8 bytes), does not. Iterative:
     * the input is hostile. (Structs holding one another by value: {@link #checkNesting}.)
     */
    private void checkReferenceChains(Btf btf) throws BpfLoadException {
        int n = types.size();
        int[] depth = new int[n]; // 0 not seen, -1 on the current path, else 1 + the longest chain below
        int[] stack = new int[n];
        int[] nextEdge = new int[n];
        for (int start = 0; start < n; start++) {
            if (depth[start] != 0) {
                continue;
            }
            int top = 0;
            stack[0] = start;
            nextEdge[0] = 0;
            depth[start] = -1;
            while (top >= 0) {
                BtfType t = types.get(stack[top]);
                BtfType next = reference(t, nextEdge[top]++);
                if (next == NO_MORE) {
                    int longest = 1;
                    for (int e = 0; ; e++) {
                        BtfType below = reference(t, e);
                        if (below == NO_MORE) {
                            break;
                        }
                        if (below != null) {
                            longest = Math.max(longest, 1 + depth[below.id()]);
                        }
                    }
                    if (longest > MAX_CHAIN) {
                        throw btf.error("type " + t.id() + " starts a chain of more than " + MAX_CHAIN + " type references");
                    }
                    depth[t.id()] = longest;
                    top--;
                } else if (next != null) {
                    if (depth[next.id()] == -1) {
                        throw btf.error("type " + next.id() + " refers to itself"
                                + (next == t ? "" : " (through type " + t.id() + ")"));
                    }
                    if (depth[next.id()] == 0) {
                        depth[next.id()] = -1;
                        stack[++top] = next.id();
                        nextEdge[top] = 0;
                    }
                }
            }
        }
    }

    private static final BtfType NO_MORE = new BtfType(null, -1, BtfType.Kind.VOID, "", 0, false, false, false, 0, 0, 0, 0);

    /** The {@code edge}-th reference of {@code t} that {@link #checkReferenceChains} follows, null for none there, {@link #NO_MORE} past the last. */
    private static BtfType reference(BtfType t, int edge) {
        return switch (t.kind()) {
            case PTR, ARRAY, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG, FUNC, VAR -> edge == 0 ? t.target() : NO_MORE;
            case FUNC_PROTO -> edge == 0 ? t.target() : edge <= t.members().size() ? t.members().get(edge - 1).type() : NO_MORE;
            default -> NO_MORE;
        };
    }

    private static int checkRef(Btf btf, int from, long id) throws BpfLoadException {
        if (id < 0 || id >= btf.typeCount()) {
            throw btf.error("type " + from + " refers to type " + id + ", out of range");
        }
        return (int) id;
    }

    /** The object these types come from. */
    public String objectName() { return objectName; }

    /** Every type, by id (index 0 is void). */
    public List<BtfType> types() { return Collections.unmodifiableList(types); }

    public BtfType type(int id) {
        return types.get(id);
    }

    /** The named struct or union {@code name} (also through a typedef of that name). */
    public Optional<BtfLayout> layout(String name) {
        BtfType t = layouts.get(name);
        if (t == null) {
            for (BtfType candidate : types) {
                if (candidate.kind() == BtfType.Kind.TYPEDEF && candidate.name().equals(name)) {
                    BtfType r = candidate.resolved();
                    if (r.isStruct() || r.isUnion()) {
                        t = r;
                        break;
                    }
                }
            }
        }
        return Optional.ofNullable(t).map(BtfLayout::new);
    }

    /** Every named struct and union, in BTF order. */
    public List<BtfLayout> layouts() {
        return layouts.values().stream().map(BtfLayout::new).toList();
    }

    @Override
    public String toString() {
        return "BTF of " + objectName + ": " + (types.size() - 1) + " types, " + layouts.size() + " named structs and unions";
    }
}
