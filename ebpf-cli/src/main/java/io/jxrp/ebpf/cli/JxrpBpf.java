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
 * r0 in hex and exits 0, or prints the error on stdout and exits 1 (rejected or faulted, what the
 * runner expects of a failing program) or 2 (bad hex, no program). It never waits on a terminal.
 *
 * <p>Every other error is one line on stderr and one of the documented exit codes: 0 success, 1 the
 * program or object was rejected (loader, verifier), 2 usage error (bad arguments, options or hex), 3
 * the program faulted while running (memory, instruction budget, helper), 4 an I/O problem (a missing,
 * unreadable or oversized file), 5 an internal error (a bug; the only case with a stack trace).
 */
@Command(name = "jxrp-bpf", mixinStandardHelpOptions = true, versionProvider = JxrpBpf.VersionProvider.class,
        description = "Verify, disassemble and run eBPF programs (ELF objects from clang -target bpf, or raw bytecode).",
        subcommands = {JxrpBpf.Verify.class, JxrpBpf.Disasm.class, JxrpBpf.Run.class, JxrpBpf.Btf.class, JxrpBpf.Plugin.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the program or object was rejected (loader, verifier)",
                "2:usage error: bad arguments, options or hex", "3:the program faulted while running (memory, budget, helper)",
                "4:I/O problem: a missing, unreadable or oversized file", "5:internal error (a bug; the stack trace follows)"})
public final class JxrpBpf implements Callable<Integer> {
    /** The version line every jxrp command prints: {@code jxrp-bpf (jxrp 0.1.0-SNAPSHOT)}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.jxrp.ebpf.Version.of("jxrp-bpf")};
        }
    }

    public static final int EXIT_REJECTED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_FAULT = 3;
    public static final int EXIT_IO = 4;
    public static final int EXIT_INTERNAL = 5;
    /** The most any input (a file, stdin) may hold: no object or program comes near it, and /dev/zero never ends. */
    static final int MAX_INPUT_BYTES = 64 << 20;
    /** Instruction budgets and repetitions at most. */
    static final long MAX_BUDGET = 1L << 40;
    static final int MAX_REPEAT = 100_000_000;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final Set<String> COMMANDS = Set.of("verify", "disasm", "run", "btf", "plugin", "help", "-h", "--help",
            "-V", "--version");

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new JxrpBpf());
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": " + oneLine(e.getMessage()) + " (" + name + " --help shows the usage)");
            cmd.getErr().flush();
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": internal error: " + e);
            e.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return EXIT_INTERNAL;
        });
        if (args.length == 0) { // never wait on stdin for a plugin call nobody made
            commandLine.getErr().println("jxrp-bpf: name a command: verify, disasm, run, btf or plugin"
                    + " (jxrp-bpf --help shows the usage)");
            commandLine.getErr().flush();
            return EXIT_USAGE;
        }
        String[] effective = COMMANDS.contains(args[0]) ? args : pluginArguments(args);
        return commandLine.execute(effective);
    }

    /** What a failed command prints (one line on stderr) and returns. */
    static int fail(String command, Exception e) {
        int exit = e instanceof BpfLoadException ? EXIT_REJECTED
                : e instanceof BpfFault ? EXIT_FAULT
                : e instanceof IOException ? EXIT_IO
                : e instanceof IllegalArgumentException ? EXIT_USAGE
                : EXIT_INTERNAL;
        String what = switch (exit) {
            case EXIT_REJECTED -> "rejected: ";
            case EXIT_FAULT -> "fault: ";
            default -> "";
        };
        System.err.println("jxrp-bpf " + command + ": " + what + message(e));
        if (exit == EXIT_INTERNAL) {
            e.printStackTrace();
        }
        return exit;
    }

    static String message(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getFile() + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException denied) {
            return denied.getFile() + ": permission denied (EACCES)";
        }
        if (e instanceof java.nio.file.FileSystemException fs) {
            return fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName());
        }
        return oneLine(e.getMessage() != null ? e.getMessage() : e.toString());
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** The bytes of {@code file}, refusing a directory or more than {@link #MAX_INPUT_BYTES}. */
    static byte[] readBounded(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readBounded(in, file.toString());
        }
    }

    /** At most {@link #MAX_INPUT_BYTES} from {@code in}: more is an error, never an OutOfMemoryError. */
    static byte[] readBounded(InputStream in, String what) throws IOException {
        byte[] bytes = in.readNBytes(MAX_INPUT_BYTES + 1);
        if (bytes.length > MAX_INPUT_BYTES) {
            throw new IOException(what + ": more than " + (MAX_INPUT_BYTES >> 20) + " MiB: not an eBPF object or program");
        }
        return bytes;
    }

    /** {@code value} in {@code [min, max]}, else a usage error naming the option. */
    static void range(CommandLine.Model.CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be " + min + ".." + max
                    + ", not " + value);
        }
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
            byte[] bytes = readBounded(file);
            if (!hex && bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
                object = BpfObject.load(file.getFileName().toString(), bytes);
                if (programName != null) {
                    return List.of(object.program(programName).orElseThrow(
                            () -> new BpfLoadException(file + ": no program '" + programName + "'; have "
                                    + object.programs().stream().map(BpfProgram::name).toList())));
                }
                return object.programs();
            }
            byte[] code = hex ? parseHex(file + ": ", new String(bytes, StandardCharsets.US_ASCII)) : bytes;
            return List.of(BpfProgram.fromBytes(file.getFileName().toString(), code, List.of()));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Load and verify; print programs and maps.")
    static final class Verify extends ProgramSource implements Callable<Integer> {
        private static final String COMMAND = "verify";
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
            } catch (IOException | BpfLoadException | IllegalArgumentException e) {
                return fail(COMMAND, e);
            }
        }
    }

    @Command(name = "disasm", mixinStandardHelpOptions = true, description = "Print the linked, relocated instructions.")
    static final class Disasm extends ProgramSource implements Callable<Integer> {
        private static final String COMMAND = "disasm";
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
            } catch (IOException | BpfLoadException | IllegalArgumentException e) {
                return fail(COMMAND, e);
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a program with r1 = address of the memory (bound as the CONTEXT region) and r2 = its length.",
                    "With --xrp the context is a struct bpf_xrp whose data and scratch point at the DATA and SCRATCH regions;"
                            + " the result shows done and the next reads."})
    static final class Run extends ProgramSource implements Callable<Integer> {
        private static final String COMMAND = "run";
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
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
            range(spec, "--budget", budget, 1, MAX_BUDGET);
            range(spec, "--repeat", repeat, 1, MAX_REPEAT);
            if (memoryFile != null && memoryHex != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --memory or --memory-hex, not both");
            }
            if (!xrp && (dataFile != null || scratchFile != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--data and --scratch need --xrp");
            }
            try {
                byte[] memory = memoryFile != null ? readBounded(memoryFile)
                        : memoryHex != null ? parseHex("--memory-hex: ", memoryHex) : new byte[xrp ? XRP_CONTEXT_BYTES : 0];
                BpfProgram p = programs().getFirst();
                if (xrp && memory.length < XRP_CONTEXT_BYTES) {
                    memory = Arrays.copyOf(memory, XRP_CONTEXT_BYTES);
                }
                byte[] data = dataFile != null ? readBounded(dataFile) : new byte[512];
                byte[] scratchInit = scratchFile != null ? readBounded(scratchFile) : new byte[4096];
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
            } catch (IOException | BpfLoadException | BpfFault | IllegalArgumentException e) {
                return fail(COMMAND, e);
            }
        }
    }

    @Command(name = "btf", mixinStandardHelpOptions = true,
            description = {"Print the struct and union layouts an object's BTF describes, as pahole does.",
                    "Works on any clang -target bpf -g object, also one whose programs would be rejected."})
    static final class Btf implements Callable<Integer> {
        private static final String COMMAND = "btf";
        @Parameters(index = "0", description = "ELF object (clang -target bpf -g).")
        Path file;
        @Parameters(index = "1", arity = "0..1", description = "Struct or union name (or a typedef of one); default: every named one.")
        String typeName;

        @Override
        public Integer call() {
            try {
                BtfTypes types = BtfTypes.parse(file.getFileName().toString(), readBounded(file));
                if (typeName != null) {
                    var layout = types.layout(typeName);
                    if (layout.isEmpty()) {
                        System.err.println("jxrp-bpf btf: " + file + ": no struct or union '" + typeName + "'; have "
                                + types.layouts().stream().map(BtfLayout::name).toList());
                        return EXIT_USAGE;
                    }
                    System.out.print(layout.get().describe());
                    return 0;
                }
                List<BtfLayout> all = types.layouts();
                for (int i = 0; i < all.size(); i++) {
                    System.out.print((i == 0 ? "" : "\n") + all.get(i).describe());
                }
                return 0;
            } catch (IOException | BpfLoadException | IllegalArgumentException e) {
                return fail(COMMAND, e);
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
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            range(spec, "--budget", budget, 1, MAX_BUDGET);
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            if (System.console() != null && System.console().isTerminal()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "the plugin reads the program as hex on stdin, and stdin is a terminal; pipe the program in");
            }
            byte[] code;
            byte[] memory;
            try {
                code = parseHex("program on stdin: ", new String(readBounded(System.in, "stdin"), StandardCharsets.US_ASCII));
                memory = memoryHex == null ? new byte[0] : parseHex("memory: ", memoryHex);
            } catch (IOException | IllegalArgumentException e) {
                out.println(message(e));
                return EXIT_USAGE;
            }
            try {
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
            } catch (BpfLoadException | BpfFault e) {
                out.println(message(e));
                return EXIT_REJECTED;
            }
        }
    }

    /** Hex bytes separated by any whitespace, or one run of hex digits; "0x" prefixes allowed. */
    static byte[] parseHex(String text) {
        return parseHex("", text);
    }

    /** As {@link #parseHex(String)}, errors starting with {@code where} (what held the text). */
    static byte[] parseHex(String where, String text) {
        String[] tokens = text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String t : tokens) {
            String digits = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
            if (digits.length() % 2 != 0) {
                throw new IllegalArgumentException(where + "odd number of hex digits in '" + abbreviate(t) + "'");
            }
            for (int i = 0; i < digits.length(); i += 2) {
                int hi = Character.digit(digits.charAt(i), 16), lo = Character.digit(digits.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(where + "not hex: '" + abbreviate(t) + "'");
                }
                out.write(hi << 4 | lo);
            }
        }
        return out.toByteArray();
    }

    private static String abbreviate(String token) {
        String printable = token.codePoints().limit(40).map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return token.length() > 40 ? printable + "..." : printable;
    }

    static String toHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : i % 16 == 0 ? "\n" : " ").append(String.format("%02x", bytes[i]));
        }
        return sb.toString();
    }
}
