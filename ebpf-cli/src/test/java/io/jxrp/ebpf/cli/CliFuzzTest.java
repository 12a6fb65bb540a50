package io.jxrp.ebpf.cli;

import io.jxrp.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code jxrp-bpf} command line against random arguments and stdin ({@link Fuzz}): subcommands,
 * options with good and bad values, files that are objects, hex, garbage, missing or directories. Every
 * run ends in a documented exit code other than "internal error" (0..4), without a stack trace.
 */
@Tag("fuzz")
@Timeout(600)
class CliFuzzTest {
    private static final Set<Integer> DOCUMENTED = Set.of(0, JxrpBpf.EXIT_REJECTED, JxrpBpf.EXIT_USAGE, JxrpBpf.EXIT_FAULT,
            JxrpBpf.EXIT_IO);
    private static final String[] VALUES = {"0", "1", "-1", "1000", "99999999999999999999", "abc", "", "zz", "0x10",
            "00 11 22", "b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00", "1099511627777", "2147483648"};

    @Test
    void everyRunEndsInADocumentedExitCode(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path objects = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf"));
        Path hex = tmp.resolve("prog.hex");
        Files.writeString(hex, "b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00");
        Path garbage = tmp.resolve("garbage");
        Files.write(garbage, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 9, 9});
        List<String> files = new ArrayList<>(List.of(hex.toString(), garbage.toString(), tmp.resolve("missing").toString(),
                tmp.toString(), ""));
        for (String name : new String[] {"calls.o", "maps.o", "xrp_walk.o", "globals.o"}) {
            if (io.jxrp.testing.Requirements.partlyRequire(Files.isRegularFile(objects.resolve(name)),
                    () -> "clang-built object " + objects.resolve(name))) {
                files.add(objects.resolve(name).toString());
            }
        }
        Fuzz.run(getClass(), "jxrp-bpf-cli", 20, (random, index) -> Fuzz.lines(arguments(random, files)), input -> {
            List<String> lines = Fuzz.lines(input);
            String stdin = lines.isEmpty() ? "" : lines.getFirst();
            String[] args = lines.subList(Math.min(1, lines.size()), lines.size()).toArray(String[]::new);
            InputStream in = System.in;
            PrintStream out = System.out;
            PrintStream err = System.err;
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int exit;
            try {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)));
                System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
                exit = JxrpBpf.execute(args);
            } finally {
                System.setIn(in);
                System.setOut(out);
                System.setErr(err);
            }
            String stderr = errors.toString(StandardCharsets.UTF_8);
            assertTrue(DOCUMENTED.contains(exit), "exit " + exit + " for " + List.of(args) + ":\n" + stderr);
            assertTrue(!stderr.contains("\tat ") && !stderr.contains("Exception in"), "a trace for " + List.of(args) + ":\n" + stderr);
        });
    }

    /** Line 0 is stdin (for the plugin), the rest the arguments. */
    static List<String> arguments(Random random, List<String> files) {
        List<String> lines = new ArrayList<>();
        lines.add(VALUES[random.nextInt(VALUES.length)]);
        String[] commands = {"verify", "disasm", "run", "run", "btf", "plugin", "--help", "frob", ""};
        String command = commands[random.nextInt(commands.length)];
        if (!command.isEmpty()) {
            lines.add(command);
        }
        String[] flags = {"--hex", "--interp", "--jit", "--xrp", "--dump", "-h"};
        String[] valued = {"--budget", "--repeat", "--memory-hex", "-m", "--data", "--scratch", "-p", "--program"};
        for (int i = random.nextInt(4); i > 0; i--) {
            if (random.nextBoolean()) {
                lines.add(flags[random.nextInt(flags.length)]);
            } else {
                String option = valued[random.nextInt(valued.length)];
                lines.add(option);
                boolean pathOption = option.equals("-m") || option.equals("--data") || option.equals("--scratch");
                String value = pathOption ? files.get(random.nextInt(files.size())) : VALUES[random.nextInt(VALUES.length)];
                // --repeat: valid counts are cheap only when small
                lines.add(option.equals("--repeat") && value.matches("[0-9]+") && value.length() > 3 ? "1000000000" : value);
            }
        }
        int positional = command.equals("plugin") || command.isEmpty() ? random.nextInt(2) : 1 + random.nextInt(2) - 1;
        for (int i = 0; i < positional; i++) {
            lines.add(command.equals("plugin") || command.isEmpty() ? VALUES[random.nextInt(VALUES.length)]
                    : files.get(random.nextInt(files.size())));
        }
        return lines;
    }
}
