package io.jxrp.ebpf.cli;

import io.jxrp.ebpf.BpfFault;
import io.jxrp.ebpf.BpfLoadException;
import io.jxrp.ebpf.BpfMachine;
import io.jxrp.ebpf.BpfMap;
import io.jxrp.ebpf.BpfObject;
import io.jxrp.ebpf.BpfProgram;
import io.jxrp.ebpf.BtfLayout;
import io.jxrp.ebpf.BtfTypes;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.ebpf.Region;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jxrp-bpf}: verify, disassemble and run eBPF programs, and act as a bpf_conformance plugin.
 *
 * <p>Plugin mode (also entered when the first argument is not a subcommand, which is how the
 * conformance runner calls plugins: {@code plugin <memory-hex> [options]}): program as hex bytes on
 * stdin, memory as hex bytes in the first argument, r1 = memory address, r2 = memory length; prints
 * r0 in hex and exits 0, or prints the error and exits 1.
 */
@Command(name = "jxrp-bpf", mixinStandardHelpOptions = true, version = "jxrp-bpf 0.1",
        description = "Verify, disassemble and run eBPF programs (ELF objects from clang -target bpf, or raw bytecode).",
        subcommands = {JxrpBpf.Verify.class, JxrpBpf.Disasm.class, JxrpBpf.Run.class, JxrpBpf.Btf.class, JxrpBpf.Plugin.class})
public final class JxrpBpf implements Callable<Integer> {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final Set<String> COMMANDS = Set.of("verify", "disasm", "run", "btf", "plugin", "help", "-h", "--help",
            "-V", "--version");

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        String[] effective = args;
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            effective = pluginArguments(args);
        }
        return new CommandLine(new JxrpBpf()).execute(effective);
    }

    /**
     * The conformance runner passes the memory, then one (possibly empty) options string; picocli
     * wants the options split and the memory as the only positional argument.
     */
    private static String[] pluginArguments(String[] args) {
        List<String> out = new ArrayList<>();
        out.add("plugin");
        String memory = null;
        for (String a : args) {
            if (memory == null && !a.startsWith("-")) {
                memory = a;
                continue;
            }
            for (String option : a.trim().split("\\s+")) {
                if (!option.isEmpty()) {
                    out.add(option);
                }
            }
        }
        if (memory != null) {
            out.add("--");
            out.add(memory);
        }
        return out.toArray(new String[0]);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** --interp / --jit. */
    static final class ModeOption {
        @Option(names = "--interp", description = "Run in the interpreter.") boolean interp;
        @Option(names = "--jit", description = "Run JIT-compiled (default).") boolean jit;

        static ExecutionMode of(ModeOption o) {
            return o != null && o.interp ? ExecutionMode.INTERPRETER : ExecutionMode.JIT;
        }
    }

    /** Loads a program from an ELF object, raw bytecode or hex text. */
    abstract static class ProgramSource {
        @Parameters(index = "0", description = "ELF object (clang -target bpf), raw bytecode, or hex text with --hex.")
        Path file;
        @Option(names = {"-p", "--program"}, description = "Program (section or function name) in an ELF object; default: the first.")
        String programName;
        @Option(names = "--hex", description = "The file holds hex bytes (as the conformance suite writes them).")
        boolean hex;

        BpfObject object;

        List<BpfProgram> programs() throws IOException, BpfLoadException {
            byte[] bytes = Files.readAllBytes(file);
            if (!hex && bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
                object = BpfObject.load(file.getFileName().toString(), bytes);
                if (programName != null) {
                    return List.of(object.program(programName).orElseThrow(
                            () -> new BpfLoadException(file + ": no program '" + programName + "'; have "
                                    + object.programs().stream().map(BpfProgram::name).toList())));
                }
                return object.programs();
            }
            byte[] code = hex ? parseHex(new String(bytes, StandardCharsets.US_ASCII)) : bytes;
            return List.of(BpfProgram.fromBytes(file.getFileName().toString(), code, List.of()));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Load and verify; print programs and maps.")
    static final class Verify extends ProgramSource implements Callable<Integer> {
        @Override
        public Integer call() {
            try {
                for (BpfProgram p : programs()) {
                    System.out.printf("program %s: %d instruction slots, %d frames deep, ok; memory accesses: %s%n", p.name(),
                            p.slotCount(), p.maxFrames(), p.accessSummary());
                }
                if (object != null) {
                    for (BpfMap m : object.maps()) {
                        System.out.println(m);
                    }
                }
                return 0;
            } catch (IOException | BpfLoadException e) {
                System.err.println("rejected: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "disasm", mixinStandardHelpOptions = true, description = "Print the linked, relocated instructions.")
    static final class Disasm extends ProgramSource implements Callable<Integer> {
        @Override
        public Integer call() {
            try {
                List<BpfProgram> programs = programs();
                for (BpfProgram p : programs) {
                    if (programs.size() > 1) {
                        System.out.println(p.name() + ":");
                    }
                    System.out.print(p.disassemble());
                    List<BpfMap> maps = p.maps();
                    for (int i = 0; i < maps.size(); i++) {
                        System.out.println("; map[" + i + "] = " + maps.get(i));
                    }
                }
                return 0;
            } catch (IOException | BpfLoadException e) {
                System.err.println("rejected: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a program with r1 = address of the memory (bound as the CONTEXT region) and r2 = its length.",
                    "With --xrp the context is a struct bpf_xrp whose data and scratch point at the DATA and SCRATCH regions;"
                            + " the result shows done and the next reads."})
    static final class Run extends ProgramSource implements Callable<Integer> {
        @ArgGroup(exclusive = true) ModeOption mode;
        @Option(names = {"-m", "--memory"}, description = "File whose bytes are the memory / context (default: none, or a zeroed bpf_xrp).")
        Path memoryFile;
        @Option(names = "--memory-hex", description = "Memory as hex bytes.")
        String memoryHex;
        @Option(names = "--xrp", description = "Storage-function mode: context is struct bpf_xrp (296 B).")
        boolean xrp;
        @Option(names = "--data", description = "With --xrp: file holding the block just read (default: 512 zero bytes).")
        Path dataFile;
        @Option(names = "--scratch", description = "With --xrp: file holding the scratch page (default: 4096 zero bytes).")
        Path scratchFile;
        @Option(names = "--budget", description = "Instruction budget (default ${DEFAULT-VALUE}).", defaultValue = "1000000")
        long budget;
        @Option(names = "--repeat", description = "Run this many times (reports the last result and the average time).",
                defaultValue = "1")
        int repeat;
        @Option(names = "--dump", description = "Print the memory (with --xrp: the scratch page) after the run as hex.")
        boolean dump;

        private static final int XRP_CONTEXT_BYTES = 296, DATA_OFFSET = 0, DONE_OFFSET = 8, NEXT_ADDR_OFFSET = 16,
                SIZE_OFFSET = 144, SCRATCH_OFFSET = 272, FANOUT = 16;

        @Override
        public Integer call() {
            try {
                BpfProgram p = programs().getFirst();
                byte[] memory = memoryFile != null ? Files.readAllBytes(memoryFile)
                        : memoryHex != null ? parseHex(memoryHex) : new byte[xrp ? XRP_CONTEXT_BYTES : 0];
                if (xrp && memory.length < XRP_CONTEXT_BYTES) {
                    memory = Arrays.copyOf(memory, XRP_CONTEXT_BYTES);
                }
                byte[] data = dataFile != null ? Files.readAllBytes(dataFile) : new byte[512];
                byte[] scratchInit = scratchFile != null ? Files.readAllBytes(scratchFile) : new byte[4096];
                BpfMachine m = new BpfMachine(ModeOption.of(mode), budget);
                MemorySegment ctx = Arena.ofAuto().allocate(Math.max(1, memory.length), 8).asSlice(0, memory.length);
                MemorySegment block = Arena.ofAuto().allocate(Math.max(1, data.length), 8).asSlice(0, data.length);
                MemorySegment scratch = Arena.ofAuto().allocate(Math.max(1, scratchInit.length), 8).asSlice(0, scratchInit.length);
                long r0 = 0;
                long start = System.nanoTime();
                for (int i = 0; i < repeat; i++) {
                    MemorySegment.copy(MemorySegment.ofArray(memory), 0, ctx, 0, memory.length);
                    m.bind(Region.CONTEXT, ctx);
                    if (xrp) {
                        MemorySegment.copy(MemorySegment.ofArray(data), 0, block, 0, data.length);
                        MemorySegment.copy(MemorySegment.ofArray(scratchInit), 0, scratch, 0, scratchInit.length);
                        m.bind(Region.DATA, block);
                        m.bind(Region.SCRATCH, scratch);
                        ctx.set(U64, DATA_OFFSET, m.address(Region.DATA));
                        ctx.set(U64, SCRATCH_OFFSET, m.address(Region.SCRATCH));
                    }
                    r0 = m.run(p, memory.length == 0 ? 0 : m.address(Region.CONTEXT), memory.length);
                }
                long nanos = (System.nanoTime() - start) / Math.max(1, repeat);
                System.out.printf("r0 = 0x%s (%d)%ninstructions: %d%n", Long.toHexString(r0), r0, m.lastInstructionCount());
                if (xrp) {
                    System.out.println("done: " + ctx.get(U32, DONE_OFFSET));
                    for (int slot = 0; slot < FANOUT; slot++) {
                        long size = ctx.get(U64, SIZE_OFFSET + 8L * slot);
                        if (size != 0) {
                            System.out.printf("next_addr[%d] = %d, size[%d] = %d%n", slot,
                                    ctx.get(U64, NEXT_ADDR_OFFSET + 8L * slot), slot, size);
                        }
                    }
                }
                if (repeat > 1) {
                    System.out.printf("average: %d ns per run over %d runs (%s)%n", nanos, repeat, m.mode());
                }
                if (dump) {
                    System.out.println(toHex((xrp ? scratch : ctx).toArray(ValueLayout.JAVA_BYTE)));
                }
                return 0;
            } catch (IOException | BpfLoadException e) {
                System.err.println("rejected: " + e.getMessage());
                return 1;
            } catch (BpfFault f) {
                System.err.println(f.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "btf", mixinStandardHelpOptions = true,
            description = {"Print the struct and union layouts an object's BTF describes, as pahole does.",
                    "Works on any clang -target bpf -g object, also one whose programs would be rejected."})
    static final class Btf implements Callable<Integer> {
        @Parameters(index = "0", description = "ELF object (clang -target bpf -g).")
        Path file;
        @Parameters(index = "1", arity = "0..1", description = "Struct or union name (or a typedef of one); default: every named one.")
        String typeName;

        @Override
        public Integer call() {
            try {
                BtfTypes types = BtfTypes.read(file);
                if (typeName != null) {
                    var layout = types.layout(typeName);
                    if (layout.isEmpty()) {
                        System.err.println(file + ": no struct or union '" + typeName + "'; have "
                                + types.layouts().stream().map(BtfLayout::name).toList());
                        return 1;
                    }
                    System.out.print(layout.get().describe());
                    return 0;
                }
                List<BtfLayout> all = types.layouts();
                for (int i = 0; i < all.size(); i++) {
                    System.out.print((i == 0 ? "" : "\n") + all.get(i).describe());
                }
                return 0;
            } catch (IOException | BpfLoadException e) {
                System.err.println("rejected: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "plugin", mixinStandardHelpOptions = true,
            description = "bpf_conformance plugin: program hex on stdin, memory hex as the argument; prints r0 in hex.")
    static final class Plugin implements Callable<Integer> {
        @ArgGroup(exclusive = true) ModeOption mode;
        @Parameters(index = "0", arity = "0..1", description = "Memory as hex bytes (may be empty).")
        String memoryHex;
        @Option(names = "--budget", defaultValue = "1000000", description = "Instruction budget (default ${DEFAULT-VALUE}).")
        long budget;

        @Override
        public Integer call() {
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            try {
                byte[] code = parseHex(new String(readAll(System.in), StandardCharsets.US_ASCII));
                byte[] memory = memoryHex == null ? new byte[0] : parseHex(memoryHex);
                BpfProgram p = BpfProgram.fromBytes("stdin", code, List.of());
                BpfMachine m = new BpfMachine(ModeOption.of(mode), budget);
                long r1 = 0;
                if (memory.length > 0) {
                    m.bind(Region.CONTEXT, MemorySegment.ofArray(memory));
                    r1 = m.address(Region.CONTEXT);
                }
                long r0 = m.run(p, r1, memory.length);
                out.println(Long.toHexString(r0));
                return 0;
            } catch (BpfLoadException | BpfFault | IllegalArgumentException | IOException e) {
                out.println(e.getMessage());
                return 1;
            }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** Hex bytes separated by any whitespace, or one run of hex digits; "0x" prefixes allowed. */
    static byte[] parseHex(String text) {
        String[] tokens = text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String t : tokens) {
            String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
            if (digits.length() % 2 != 0) {
                throw new IllegalArgumentException("odd number of hex digits in '" + t + "'");
            }
            for (int i = 0; i < digits.length(); i += 2) {
                int hi = Character.digit(digits.charAt(i), 16), lo = Character.digit(digits.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("not hex: '" + t + "'");
                }
                out.write(hi << 4 | lo);
            }
        }
        return out.toByteArray();
    }

    static String toHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : i % 16 == 0 ? "\n" : " ").append(String.format("%02x", bytes[i]));
        }
        return sb.toString();
    }
}
