package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKvFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bpfkv}: create, query and inspect BPF-KV databases, and benchmark lookups (engine vs
 * pread). Exit codes: 0 success, 1 a looked-up key is absent, 2 usage error, 3 the file is not a
 * valid BPF-KV database, 4 an I/O or environment problem (file exists, no space, no O_DIRECT,
 * missing file), 5 anything else.
 */
@Command(name = "bpfkv", mixinStandardHelpOptions = true, version = "bpfkv (jxrp) 0.1.0",
        description = "BPF-KV on jxrp: the original's B+-tree file format, looked up through the resubmission engine.",
        subcommands = {CreateCommand.class, GetCommand.class, RangeCommand.class, InspectCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a key was not found", "2:usage error", "3:not a valid BPF-KV database",
                "4:I/O or environment problem (exists, no space, no O_DIRECT, missing file)", "5:internal error"})
public final class BpfKvCli implements Runnable {
    public static final int EXIT_NOT_FOUND = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BAD_DATABASE = 3;
    public static final int EXIT_IO = 4;
    public static final int EXIT_INTERNAL = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: create, get, range or inspect");
    }

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // quiet by default: the engine logs its setup at info (JXRP_JAVA_OPTS=-D...=info shows it)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new BpfKvCli());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            cmd.getErr().println("bpfkv " + cmd.getCommandName() + ": " + message(cause));
            cmd.getErr().flush();
            if (cause instanceof BpfKvFormatException) {
                return EXIT_BAD_DATABASE;
            }
            if (cause instanceof IOException || cause instanceof UnsupportedOperationException) {
                return EXIT_IO; // an environment refusal (no io_uring, no SPDK, no O_DIRECT): say it, no stack trace
            }
            if (cause instanceof IllegalArgumentException) {
                return EXIT_USAGE;
            }
            cause.printStackTrace(cmd.getErr());
            return EXIT_INTERNAL;
        });
        return commandLine.execute(args);
    }

    private static String message(Throwable e) {
        if (e instanceof FileAlreadyExistsException exists) {
            return exists.getFile() + " already exists; add --force to overwrite it";
        }
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + ": no such file";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
