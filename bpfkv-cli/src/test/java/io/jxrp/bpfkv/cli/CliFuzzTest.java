package io.jxrp.bpfkv.cli;

import io.jxrp.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code bpfkv} command line against random arguments ({@link Fuzz}: seeded, time-bounded): valid
 * and invalid commands, options and values (numbers out of range, huge, negative, not numbers, empty),
 * files that are databases, corrupt, missing, directories or not databases. Every run must end in a
 * documented exit code other than "internal error" (0..4), with no stack trace. Costly valid commands
 * are kept cheap by the grammar (at most 3 layers, a few hundred benchmark lookups).
 */
@Tag("fuzz")
@Timeout(600)
class CliFuzzTest {
    private static final Set<Integer> DOCUMENTED = Set.of(0, BpfKvCli.EXIT_NOT_FOUND, BpfKvCli.EXIT_USAGE,
            BpfKvCli.EXIT_BAD_DATABASE, BpfKvCli.EXIT_IO);
    private static final String[] NUMBERS = {"0", "1", "2", "3", "-1", "-5", "abc", "", " 2", "1e3", "0x10", "960", "961",
            "99999999999", "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
            "2147483648", "65", "64", "4096", "100000", "NaN", "+3", "3 4"};

    private record Files3(Path db, Path corrupt, Path text, Path dir, Path fresh) {
    }

    @Test
    void everyRunEndsInADocumentedExitCode() throws Exception {
        Path dir = Path.of("target", "test-dbs", "cli-fuzz").toAbsolutePath();
        Files.createDirectories(dir);
        Path db = dir.resolve("db.db");
        assertEquals(0, BpfKvCli.run("create", db.toString(), "--layers", "2", "--force", "--no-progress"));
        Path corrupt = dir.resolve("corrupt.db");
        Files.copy(db, corrupt, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("db.db.crc32c"), dir.resolve("corrupt.db.crc32c"), StandardCopyOption.REPLACE_EXISTING);
        try (var channel = java.nio.channels.FileChannel.open(corrupt, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9, 9}), 512 * 3 + 40); // a leaf's key
        }
        Path text = dir.resolve("text.db");
        Files.writeString(text, "not a database\n");
        Files3 files = new Files3(db, corrupt, text, dir, dir.resolve("fresh.db"));
        Fuzz.run(getClass(), "bpfkv-cli", 30, (random, index) -> Fuzz.lines(arguments(random, files)), input -> {
            List<String> args = Fuzz.lines(input);
            Files.deleteIfExists(files.fresh());
            Files.deleteIfExists(dir.resolve("fresh.db.crc32c"));
            PrintStream out = System.out;
            PrintStream err = System.err;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int exit;
            try {
                System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
                exit = BpfKvCli.run(args.toArray(String[]::new));
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            String stderr = errors.toString(StandardCharsets.UTF_8);
            String stdout = captured.toString(StandardCharsets.UTF_8);
            assertTrue(DOCUMENTED.contains(exit), "exit " + exit + " for " + args + ":\n" + stderr);
            assertTrue(!stderr.contains("\tat ") && !stderr.contains("Exception in"), "a stack trace for " + args + ":\n" + stderr);
            // exit 3 from scrub or inspect --deep is their report (on stdout); every other failure says why on stderr
            boolean report = exit == BpfKvCli.EXIT_BAD_DATABASE && (stdout.contains("problem") || stdout.contains("bad block"));
            if (exit >= BpfKvCli.EXIT_USAGE && !report) {
                String last = stderr.strip().lines().reduce((a, b) -> b).orElse("");
                assertTrue(last.startsWith("bpfkv"), "the error is a bpfkv line for " + args + ":\n" + stderr);
            }
        });
    }

    private static String number(Random random) {
        return random.nextInt(3) == 0 ? Long.toString(random.nextLong(2000) - 20) : NUMBERS[random.nextInt(NUMBERS.length)];
    }

    private static String file(Random random, Files3 files) {
        return switch (random.nextInt(8)) {
            case 0, 1, 2 -> files.db().toString();
            case 3 -> files.corrupt().toString();
            case 4 -> files.text().toString();
            case 5 -> files.dir().toString();
            case 6 -> files.dir().resolve("missing.db").toString();
            default -> random.nextBoolean() ? "/dev/zero" : "";
        };
    }

    static List<String> arguments(Random random, Files3 files) {
        List<String> args = new ArrayList<>();
        String[] commands = {"get", "get", "range", "range", "inspect", "create", "checksum", "scrub", "frob", "--help",
                "-V", "help"};
        String command = commands[random.nextInt(commands.length)];
        args.add(command);
        switch (command) {
            case "create" -> {
                args.add(random.nextInt(4) == 0 ? file(random, files) : files.fresh().toString());
                if (random.nextInt(6) != 0) {
                    args.add(random.nextBoolean() ? "--layers" : "-l");
                    // at most 3 layers of valid size: creating L=4.. would cost seconds to gigabytes
                    args.add(capped(number(random), 3, "11"));
                }
                options(random, args, new String[] {"--force", "--no-progress", "--no-checksums", "--require-direct"},
                        new String[0]);
                if (random.nextInt(3) == 0) { // large buffers are valid but cost gigabytes of memory
                    args.add("--buffer-mib");
                    args.add(capped(number(random), 64, "2000"));
                }
                args.add("--no-progress");
            }
            case "get" -> {
                args.add(file(random, files));
                boolean benchmark = random.nextInt(3) == 0;
                if (benchmark) {
                    args.add("--requests");
                    args.add(capped(number(random), 500, "300"));
                    options(random, args, new String[] {"--json"}, new String[] {"--threads", "--inflight", "--warmup", "--seed"});
                } else {
                    for (int k = random.nextInt(4); k > 0; k--) {
                        args.add(number(random));
                    }
                }
                databaseOptions(random, args);
            }
            case "range" -> {
                args.add(file(random, files));
                for (int k = random.nextInt(4); k > 0; k--) {
                    args.add(number(random));
                }
                options(random, args, new String[] {"--begin-exclusive", "--end-inclusive", "--count", "--sum", "--min", "--max",
                        "--avg"}, new String[0]);
                databaseOptions(random, args);
            }
            case "inspect" -> {
                args.add(file(random, files));
                options(random, args, new String[] {"--deep", "--no-progress"}, new String[] {"--node", "--layers", "--max-problems"});
                args.add("--no-progress");
            }
            case "checksum", "scrub" -> {
                args.add(random.nextInt(3) == 0 ? files.corrupt().toString() : file(random, files));
                options(random, args, new String[] {command.equals("checksum") ? "--force" : "--no-progress"},
                        command.equals("scrub") ? new String[] {"--max-problems"} : new String[0]);
                args.add("--no-progress");
            }
            default -> {
                for (int k = random.nextInt(3); k > 0; k--) {
                    args.add(number(random));
                }
            }
        }
        if (random.nextInt(10) == 0) {
            args.add(random.nextInt(args.size() + 1), random.nextBoolean() ? "--bogus" : "-x");
        }
        if (random.nextInt(12) == 0 && args.size() > 1) {
            args.remove(1 + random.nextInt(args.size() - 1));
        }
        return args;
    }

    /** {@code value}, unless it is a number (as the command reads numbers) above {@code max} and below 10^10: then {@code instead}. */
    private static String capped(String value, long max, String instead) {
        try {
            long n = Long.decode(value.strip());
            return n > max && n <= 10_000_000_000L ? instead : value;
        } catch (NumberFormatException e) {
            return value;
        }
    }

    private static void databaseOptions(Random random, List<String> args) {
        options(random, args, new String[0], new String[] {"--layers", "--cache", "--reactors"});
        String[][] choices = {{"--mode", "engine", "pread", "fast", ""}, {"--backend", "auto", "java", "uring", "spdk", "x"},
                {"--function", "java", "bpf", "c"}, {"--bpf-exec", "jit", "interp", "x"}, {"--checksums", "auto", "require", "off", "on"}};
        for (String[] choice : choices) {
            if (random.nextInt(5) == 0) {
                args.add(choice[0]);
                args.add(choice[1 + random.nextInt(choice.length - 1)]);
            }
        }
    }

    private static void options(Random random, List<String> args, String[] flags, String[] numeric) {
        for (String flag : flags) {
            if (random.nextInt(3) == 0) {
                args.add(flag);
            }
        }
        for (String option : numeric) {
            if (random.nextInt(3) == 0) {
                args.add(option);
                args.add(number(random));
            }
        }
    }
}
