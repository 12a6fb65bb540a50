package io.jxrp.ebpf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * ELF64 little-endian relocatable objects, as {@code clang -target bpf -c} writes them. Every read
 * is bounds-checked: a truncated or corrupt file becomes a {@link BpfLoadException}, never an
 * array index exception.
 *
 * <pre>
 * ELF header (64 B)                 section header (64 B)          symbol (24 B)        rel (16 B)
 *  0 e_ident[16] 7f 'E' 'L' 'F'      0 sh_name      u32              0 st_name  u32       0 r_offset u64
 *    [4]=2 (64-bit) [5]=1 (LE)       4 sh_type      u32              4 st_info  u8        8 r_info   u64
 * 16 e_type u16 = 1 (REL)            8 sh_flags     u64              5 st_other u8          sym  = info >>> 32
 * 18 e_machine u16 = 247 (BPF)      16 sh_addr      u64              6 st_shndx u16         type = info & 0xffffffff
 * 40 e_shoff u64                    24 sh_offset    u64              8 st_value u64
 * 58 e_shentsize u16 = 64           32 sh_size      u64             16 st_size  u64
 * 60 e_shnum u16                    40 sh_link      u32
 * 62 e_shstrndx u16                 44 sh_info      u32
 *                                   56 sh_entsize   u64
 * </pre>
 */
final class ElfFile {
    static final int EM_BPF = 247;
    static final int ET_REL = 1;
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8, SHT_REL = 9;
    static final long SHF_WRITE = 0x1, SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4;
    static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;
    static final int SHN_UNDEF = 0;
    static final int R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_ABS32 = 3, R_BPF_64_NODYLD32 = 4, R_BPF_64_32 = 10;
    private static final int EHDR_SIZE = 64, SHDR_SIZE = 64, SYM_SIZE = 24, REL_SIZE = 16;

    record Section(int index, String name, int type, long flags, long offset, long size, int link, int info) {}

    record Symbol(int index, String name, long value, long size, int type, int bind, int section) {}

    record Relocation(long offset, int symbol, int type) {}

    final String fileName;
    final byte[] bytes;
    final List<Section> sections = new ArrayList<>();
    final List<Symbol> symbols = new ArrayList<>();

    private ElfFile(String fileName, byte[] bytes) {
        this.fileName = fileName;
        this.bytes = bytes;
    }

    static ElfFile parse(String fileName, byte[] bytes) throws BpfLoadException {
        ElfFile elf = new ElfFile(fileName, bytes);
        elf.parse();
        return elf;
    }

    private void parse() throws BpfLoadException {
        if (bytes.length < EHDR_SIZE || u8(0) != 0x7f || u8(1) != 'E' || u8(2) != 'L' || u8(3) != 'F') {
            throw error("not an ELF file");
        }
        if (u8(4) != 2 || u8(5) != 1) {
            throw error("not a 64-bit little-endian ELF file (class " + u8(4) + ", data " + u8(5) + ")");
        }
        if (u16(16) != ET_REL) {
            throw error("not a relocatable object (e_type " + u16(16) + "); compile with clang -c");
        }
        if (u16(18) != EM_BPF) {
            throw error("not a BPF object (e_machine " + u16(18) + "); compile with clang -target bpf");
        }
        long shoff = u64(40);
        int shentsize = u16(58);
        int shnum = u16(60);
        int shstrndx = u16(62);
        if (shentsize != SHDR_SIZE) {
            throw error("section header size " + shentsize + ", expected 64");
        }
        if (shnum == 0 || shstrndx >= shnum) {
            throw error("no section headers or bad section name table index " + shstrndx);
        }
        check(shoff, (long) shnum * SHDR_SIZE, "section header table");
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            long h = shoff + (long) i * SHDR_SIZE;
            raw[i] = new long[] {u32(h), u32(h + 4), u64(h + 8), u64(h + 24), u64(h + 32), u32(h + 40), u32(h + 44)};
        }
        long[] strtab = raw[shstrndx];
        for (int i = 0; i < shnum; i++) {
            long[] r = raw[i];
            int type = (int) r[1];
            if (type != SHT_NOBITS && type != 0) {
                check(r[3], r[4], "section " + i);
            }
            String name = i == 0 ? "" : string(strtab[3], strtab[4], r[0], "section name");
            sections.add(new Section(i, name, type, r[2], r[3], r[4], (int) r[5], (int) r[6]));
        }
        Section symtab = null;
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (symtab != null) {
                    throw error("more than one symbol table");
                }
                symtab = s;
            }
        }
        if (symtab != null) {
            if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
                throw error("symbol table links to bad string table " + symtab.link());
            }
            Section names = sections.get(symtab.link());
            long count = symtab.size() / SYM_SIZE;
            for (int i = 0; i < count; i++) {
                long at = symtab.offset() + (long) i * SYM_SIZE;
                int info = u8(at + 4);
                symbols.add(new Symbol(i, string(names.offset(), names.size(), u32(at), "symbol name"),
                        u64(at + 8), u64(at + 16), info & 0xf, info >>> 4, u16(at + 6)));
            }
        }
    }

    Section section(String name) {
        for (Section s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The section's bytes (zeros for SHT_NOBITS). */
    byte[] contents(Section s) throws BpfLoadException {
        if (s.size() > Integer.MAX_VALUE - 16) {
            throw error("section " + s.name() + " too large: " + s.size());
        }
        if (s.type() == SHT_NOBITS) {
            return new byte[(int) s.size()];
        }
        check(s.offset(), s.size(), "section " + s.name());
        byte[] out = new byte[(int) s.size()];
        System.arraycopy(bytes, (int) s.offset(), out, 0, out.length);
        return out;
    }

    /** The SHT_REL section applying to section {@code target}, or null. */
    Section relocationsFor(Section target) {
        for (Section s : sections) {
            if (s.type() == SHT_REL && s.info() == target.index()) {
                return s;
            }
        }
        return null;
    }

    List<Relocation> relocations(Section rel) throws BpfLoadException {
        List<Relocation> out = new ArrayList<>();
        long count = rel.size() / REL_SIZE;
        for (long i = 0; i < count; i++) {
            long at = rel.offset() + i * REL_SIZE;
            long info = u64(at + 8);
            out.add(new Relocation(u64(at), (int) (info >>> 32), (int) info));
        }
        return out;
    }

    Symbol symbol(int index, String where) throws BpfLoadException {
        if (index < 0 || index >= symbols.size()) {
            throw error(where + ": symbol index " + index + " out of range (" + symbols.size() + " symbols)");
        }
        return symbols.get(index);
    }

    Section sectionAt(int index, String where) throws BpfLoadException {
        if (index <= 0 || index >= sections.size()) {
            throw error(where + ": section index " + index + " out of range");
        }
        return sections.get(index);
    }

    BpfLoadException error(String message) {
        return new BpfLoadException(fileName + ": " + message);
    }

    private void check(long offset, long length, String what) throws BpfLoadException {
        if (offset < 0 || length < 0 || offset > bytes.length || length > bytes.length - offset) {
            throw error(what + " [" + offset + ", +" + length + ") lies outside the file (" + bytes.length + " B)");
        }
    }

    private String string(long tableOffset, long tableSize, long index, String what) throws BpfLoadException {
        check(tableOffset, tableSize, "string table");
        if (index < 0 || index >= tableSize) {
            throw error(what + " offset " + index + " outside its string table");
        }
        int start = (int) (tableOffset + index);
        int end = start;
        int limit = (int) (tableOffset + tableSize);
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw error(what + " at " + index + " is not NUL-terminated");
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    int u8(long at) throws BpfLoadException {
        check(at, 1, "byte");
        return bytes[(int) at] & 0xff;
    }

    int u16(long at) throws BpfLoadException {
        check(at, 2, "u16");
        return (bytes[(int) at] & 0xff) | (bytes[(int) at + 1] & 0xff) << 8;
    }

    long u32(long at) throws BpfLoadException {
        check(at, 4, "u32");
        int i = (int) at;
        return (bytes[i] & 0xffL) | (bytes[i + 1] & 0xffL) << 8 | (bytes[i + 2] & 0xffL) << 16 | (bytes[i + 3] & 0xffL) << 24;
    }

    long u64(long at) throws BpfLoadException {
        return u32(at) | u32(at + 4) << 32;
    }
}
