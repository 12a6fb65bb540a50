package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded {@code clang -target bpf} object: its programs (one per executable section other than
 * {@code .text}, linked with the {@code .text} subprograms they call and verified), its BTF-defined
 * maps ({@code .maps}) and its global data ({@code .rodata*}, {@code .data*}, {@code .bss*}, each an
 * internal one-entry array map named after its section). Programs of one object share its maps.
 */
public final class BpfObject {
    private final String name;
    private final Map<String, BpfProgram> programs;
    private final Map<String, BpfProgram> programsByFunction;
    private final List<BpfMap> maps;
    private final ElfFile elf;
    private volatile BtfTypes btf;

    private BpfObject(String name, Map<String, BpfProgram> programs, Map<String, BpfProgram> byFunction, List<BpfMap> maps,
                      ElfFile elf) {
        this.name = name;
        this.programs = programs;
        this.programsByFunction = byFunction;
        this.maps = maps;
        this.elf = elf;
    }

    /** Reads and loads an object file. */
    public static BpfObject load(Path file) throws IOException, BpfLoadException {
        return load(file.getFileName().toString(), Files.readAllBytes(file));
    }

    /**
     * Loads an object from its bytes.
     *
     * @param name used in messages
     * @throws BpfLoadException for a malformed object, anything unsupported, or a program the verifier rejects
     */
    public static BpfObject load(String name, byte[] elfBytes) throws BpfLoadException {
        try {
            return new Loader(ElfFile.parse(name, elfBytes)).load();
        } catch (BpfLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            // Last line of defence for hostile input: nothing but a load error leaves the loader.
            throw new BpfLoadException(name + ": malformed object (" + e + ")", e);
        }
    }

    public String name() { return name; }

    /** Programs by section name, in file order. */
    public List<BpfProgram> programs() { return List.copyOf(programs.values()); }

    /** The program in the section of that name (e.g. {@code "xrp"}), or whose entry function has that name. */
    public Optional<BpfProgram> program(String sectionOrFunction) {
        BpfProgram p = programs.get(sectionOrFunction);
        return Optional.ofNullable(p != null ? p : programsByFunction.get(sectionOrFunction));
    }

    /** Maps: BTF-defined ones first, in {@code .maps} order, then global data sections. */
    public List<BpfMap> maps() { return maps; }

    /** The map of that name ({@code .maps} variable name, or section name for global data). */
    public Optional<BpfMap> map(String mapName) {
        return maps.stream().filter(m -> m.name().equals(mapName)).findFirst();
    }

    /**
     * The object's BTF: the types clang described, among them the struct and union layouts the
     * programs share with the host. Parsed on first use.
     *
     * @throws BpfLoadException if the object has no {@code .BTF} section (compiled without {@code -g})
     *         or it is malformed
     */
    public BtfTypes btf() throws BpfLoadException {
        BtfTypes t = btf;
        if (t == null) {
            Btf raw;
            try {
                raw = Btf.parse(elf);
            } catch (RuntimeException e) {
                throw new BpfLoadException(name + ": malformed BTF (" + e + ")", e);
            }
            if (raw == null) {
                throw elf.error("no .BTF section (compile with clang -g)");
            }
            btf = t = BtfTypes.of(name, raw, elf);
        }
        return t;
    }

    /**
     * The struct or union {@code name} as the object's BTF lays it out, e.g. a scratch page's
     * layout: {@code object.layout("query").orElseThrow().field("keys").index(i).setLong(scratch, key)}.
     *
     * @throws BpfLoadException if the object has no (valid) BTF
     */
    public Optional<BtfLayout> layout(String name) throws BpfLoadException {
        return btf().layout(name);
    }

    @Override
    public String toString() {
        return "object " + name + ": programs " + programs.keySet() + ", maps " + maps.stream().map(BpfMap::name).toList();
    }

    /** One load; holds the intermediate state. */
    private static final class Loader {
        private final ElfFile elf;
        private final List<BpfMap> maps = new ArrayList<>();
        /** Section index -> map index for global data sections. */
        private final Map<Integer, Integer> globalMapBySection = new HashMap<>();
        /** .maps variable name -> map index. */
        private final Map<String, Integer> mapByName = new HashMap<>();

        Loader(ElfFile elf) {
            this.elf = elf;
        }

        BpfObject load() throws BpfLoadException {
            if (elf.section("maps") != null) {
                throw elf.error("legacy 'maps' section (struct bpf_map_def) is not supported; declare maps in SEC(\".maps\") with BTF");
            }
            if (elf.symbols.isEmpty()) {
                throw elf.error("no symbol table");
            }
            loadBtfMaps();
            loadGlobalData();
            ElfFile.Section text = elf.section(".text");
            Map<String, BpfProgram> programs = new LinkedHashMap<>();
            Map<String, BpfProgram> byFunction = new HashMap<>();
            for (ElfFile.Section s : elf.sections) {
                if (s.type() != ElfFile.SHT_PROGBITS || (s.flags() & ElfFile.SHF_EXECINSTR) == 0 || s == text || s.size() == 0) {
                    continue;
                }
                BpfProgram p = link(s, text);
                programs.put(s.name(), p);
                for (ElfFile.Symbol sym : elf.symbols) {
                    if (sym.section() == s.index() && sym.type() == ElfFile.STT_FUNC && sym.value() == 0) {
                        byFunction.put(sym.name(), p);
                    }
                }
            }
            if (programs.isEmpty()) {
                throw elf.error("no program sections (mark functions with SEC(\"name\"))");
            }
            return new BpfObject(elf.fileName, programs, byFunction, Collections.unmodifiableList(maps), elf);
        }

        private void loadBtfMaps() throws BpfLoadException {
            ElfFile.Section mapsSection = elf.section(".maps");
            if (mapsSection == null) {
                return;
            }
            Btf btf = Btf.parse(elf);
            if (btf == null) {
                throw elf.error(".maps section without .BTF: compile with -g so map attributes are recorded");
            }
            for (Btf.MapDef def : btf.maps()) {
                MapType type = MapType.ofKernelId(def.type());
                if (type == null) {
                    throw elf.error("map " + def.name() + ": map type " + def.type() + " is not supported (only HASH=1, ARRAY=2)");
                }
                if (def.flags() != 0) {
                    throw elf.error("map " + def.name() + ": map_flags " + def.flags() + " are not supported");
                }
                String problem = BpfMap.checkShape(type, def.keySize(), def.valueSize(), def.maxEntries());
                if (problem != null) {
                    throw elf.error("map " + def.name() + ": " + problem);
                }
                mapByName.put(def.name(), maps.size());
                maps.add(BpfMap.create(type, def.name(), (int) def.keySize(), (int) def.valueSize(), (int) def.maxEntries()));
            }
        }

        private void loadGlobalData() throws BpfLoadException {
            for (ElfFile.Section s : elf.sections) {
                String n = s.name();
                boolean global = n.startsWith(".rodata") || n.startsWith(".data") || n.startsWith(".bss");
                if (!global || (s.flags() & ElfFile.SHF_ALLOC) == 0 || s.size() == 0) {
                    continue;
                }
                if (s.type() != ElfFile.SHT_PROGBITS && s.type() != ElfFile.SHT_NOBITS) {
                    throw elf.error("global data section " + n + " has unexpected type " + s.type());
                }
                if (s.size() > (1 << 20)) {
                    throw elf.error("global data section " + n + " is larger than 1 MiB");
                }
                ElfFile.Section rel = elf.relocationsFor(s);
                if (rel != null && rel.size() > 0) {
                    throw elf.error("global data section " + n + " has relocations (pointers in initialisers are not supported)");
                }
                boolean readOnly = n.startsWith(".rodata");
                BpfArrayMap map = new BpfArrayMap(n, (int) s.size(), 1, readOnly);
                MemorySegment.copy(MemorySegment.ofArray(elf.contents(s)), 0, map.values, 0, s.size());
                globalMapBySection.put(s.index(), maps.size());
                maps.add(map);
            }
        }

        private long[] slotsOf(ElfFile.Section s) throws BpfLoadException {
            if (s.size() % INSN_SIZE != 0) {
                throw elf.error("section " + s.name() + " size " + s.size() + " is not a multiple of 8");
            }
            byte[] bytes = elf.contents(s);
            long[] slots = new long[bytes.length / INSN_SIZE];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(slots);
            return slots;
        }

        private BpfProgram link(ElfFile.Section section, ElfFile.Section text) throws BpfLoadException {
            long[] own = slotsOf(section);
            List<ElfFile.Relocation> ownRelocs = relocs(section);
            boolean needsText = false;
            for (ElfFile.Relocation r : ownRelocs) {
                ElfFile.Symbol sym = elf.symbol(r.symbol(), section.name());
                if (text != null && sym.section() == text.index() && r.type() == ElfFile.R_BPF_64_32) {
                    needsText = true;
                }
            }
            long[] textSlots = needsText ? slotsOf(text) : new long[0];
            long[] slots = new long[own.length + textSlots.length];
            System.arraycopy(own, 0, slots, 0, own.length);
            System.arraycopy(textSlots, 0, slots, own.length, textSlots.length);
            int textBase = own.length;
            apply(slots, section, ownRelocs, 0, section, text, textBase);
            if (needsText) {
                apply(slots, text, relocs(text), textBase, section, text, textBase);
            }
            return BpfProgram.create(section.name(), slots, maps, ProgramType.ofSection(section.name()));
        }

        private List<ElfFile.Relocation> relocs(ElfFile.Section s) throws BpfLoadException {
            ElfFile.Section rel = elf.relocationsFor(s);
            return rel == null ? List.of() : elf.relocations(rel);
        }

        private void apply(long[] slots, ElfFile.Section from, List<ElfFile.Relocation> relocs, int base,
                           ElfFile.Section program, ElfFile.Section text, int textBase) throws BpfLoadException {
            long sectionSlots = from.size() / INSN_SIZE;
            for (ElfFile.Relocation r : relocs) {
                String where = from.name() + "+" + r.offset();
                if (r.offset() % INSN_SIZE != 0 || r.offset() < 0 || r.offset() / INSN_SIZE >= sectionSlots) {
                    throw elf.error(where + ": relocation offset outside the section or misaligned");
                }
                int pc = base + (int) (r.offset() / INSN_SIZE);
                ElfFile.Symbol sym = elf.symbol(r.symbol(), where);
                long insn = slots[pc];
                int op = opcode(insn);
                switch (r.type()) {
                    case ElfFile.R_BPF_64_32 -> {
                        if (op != CALL || src(insn) != CALL_LOCAL) {
                            throw elf.error(where + ": call relocation on a non-call instruction ("
                                    + Disassembler.disassemble(insn, 0, pc) + ")");
                        }
                        int targetBase;
                        long targetSlots;
                        if (sym.section() == program.index()) {
                            targetBase = 0;
                            targetSlots = program.size() / INSN_SIZE;
                        } else if (text != null && sym.section() == text.index()) {
                            targetBase = textBase;
                            targetSlots = text.size() / INSN_SIZE;
                        } else {
                            throw elf.error(where + ": call to '" + sym.name() + "' which is neither in " + program.name()
                                    + " nor in .text" + (sym.section() == ElfFile.SHN_UNDEF ? " (undefined: extern functions are not supported)" : ""));
                        }
                        long inSection = sym.value() / INSN_SIZE + imm(insn) + 1;
                        if (sym.value() % INSN_SIZE != 0 || inSection < 0 || inSection >= targetSlots) {
                            throw elf.error(where + ": call target " + inSection + " outside its section");
                        }
                        long target = targetBase + inSection;
                        slots[pc] = withImm(insn, (int) (target - pc - 1));
                    }
                    case ElfFile.R_BPF_64_64 -> {
                        if (op != LDDW || pc + 1 >= slots.length) {
                            throw elf.error(where + ": 64-bit relocation on a non-lddw instruction");
                        }
                        ElfFile.Section target = sym.section() > 0 && sym.section() < elf.sections.size()
                                ? elf.sections.get(sym.section()) : null;
                        if (target != null && target.name().equals(".maps")) {
                            Integer index = mapByName.get(sym.name());
                            if (index == null) {
                                throw elf.error(where + ": '" + sym.name() + "' in .maps has no BTF map definition");
                            }
                            slots[pc] = withSrcImm(insn, PSEUDO_MAP_FD, index);
                            slots[pc + 1] = withImm(slots[pc + 1], 0);
                        } else if (target != null && globalMapBySection.containsKey(target.index())) {
                            int index = globalMapBySection.get(target.index());
                            long offset = sym.value() + imm(insn);
                            if (offset < 0 || offset >= target.size()) {
                                throw elf.error(where + ": reference to " + target.name() + "+" + offset + " outside the section");
                            }
                            slots[pc] = withSrcImm(insn, PSEUDO_MAP_VALUE, index);
                            slots[pc + 1] = withImm(slots[pc + 1], (int) offset);
                        } else {
                            throw elf.error(where + ": reference to '" + sym.name() + "' in "
                                    + (target == null ? "no section" : target.name()) + " is not supported (only maps and global data)");
                        }
                    }
                    default -> throw elf.error(where + ": unsupported relocation type " + r.type());
                }
            }
        }

        private static long withImm(long slot, int imm) {
            return (slot & 0xffffffffL) | ((long) imm << 32);
        }

        private static long withSrcImm(long slot, int src, int imm) {
            long cleared = slot & ~(0xfL << 12);
            return withImm(cleared | ((long) src << 12), imm);
        }
    }
}
