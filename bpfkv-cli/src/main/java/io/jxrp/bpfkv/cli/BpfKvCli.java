package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.engine.TargetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bpfkv}: create, query, check and inspect BPF-KV databases, and benchmark lookups (engine vs
 * pread). Every error is one line on stderr, {@code bpfkv <command>: <what>}, and one of the
 * documented exit codes: 0 success, 1 a looked-up key is absent, 2 usage error (nothing was done),
 * 3 the file is not a valid BPF-KV database or is corrupt (with the byte offset), 4 an I/O or
 * environment problem (a missing or existing file, permissions, no space, no O_DIRECT), 5 an internal
 * error (a bug: the only case that prints a stack trace).
 */
@Command(name = "bpfkv", mixinStandardHelpOptions = true, versionProvider = BpfKvCli.VersionProvider.class,
        description = "BPF-KV on jxrp: the original's B+-tree file format, looked up through the resubmission engine.",
        subcommands = {CreateCommand.class, LoadCommand.class, GetCommand.class, RangeCommand.class, InspectCommand.class,
                ChecksumCommand.class, ScrubCommand.class, CopyCommand.class, PutCommand.class, DeleteCommand.class,
                CompactCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a looked-up key was not found", "2:usage error: bad arguments or options, nothing done",
                "3:not a valid BPF-KV database, or a corrupt one (structure, checksum mismatch, damaged or stale sidecar)",
                "4:I/O or environment problem (missing or existing file, permissions, no space, no O_DIRECT)",
                "5:internal error (a bug; the stack trace follows)"})
public final class BpfKvCli implements Runnable {
    /** The version line every jxrp command prints: {@code bpfkv (jxrp 0.1.0-SNAPSHOT)}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.jxrp.ebpf.Version.of("bpfkv")};
        }
    }

    public static final int EXIT_NOT_FOUND = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_BAD_DATABASE = 3;
    public static final int EXIT_IO = 4;
    public static final int EXIT_INTERNAL = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: create, load, get, range, inspect, put, delete, compact, checksum, scrub or copy");
    }

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // quiet by default: problems only (JXRP_JAVA_OPTS=-Dorg.slf4j.simpleLogger.defaultLogLevel=debug shows the set-up)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new BpfKvCli());
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(name(cmd) + ": " + oneLine(e.getMessage()) + " (" + name(cmd) + " --help shows the usage)");
            cmd.getErr().flush();
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            int exit = exitCode(e);
            Throwable shown = shown(e);
            cmd.getErr().println(name(cmd) + ": " + (exit == EXIT_INTERNAL ? "internal error: " + shown : message(shown)));
            if (exit == EXIT_INTERNAL) {
                shown.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return exit;
        });
        return commandLine.execute(args);
    }

    private static String name(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** The exit code for a failure: by the first cause that says what went wrong. */
    static int exitCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BpfKvFormatException) {
                return EXIT_BAD_DATABASE;
            }
        }
        Throwable cause = shown(e);
        if (cause instanceof IOException || cause instanceof UnsupportedOperationException) {
            return EXIT_IO; // an environment refusal (no io_uring, no SPDK, no O_DIRECT): say it, no stack trace
        }
        if (cause instanceof IllegalArgumentException) {
            return EXIT_USAGE;
        }
        return EXIT_INTERNAL;
    }

    /** The exception whose message tells the user what happened: a format problem anywhere in the chain, else the cause under the wrappers. */
    static Throwable shown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BpfKvFormatException) {
                return t;
            }
        }
        Throwable t = e;
        while ((t instanceof UncheckedIOException || t instanceof CompletionException || t instanceof ExecutionException
                || (t instanceof IllegalStateException && t.getCause() instanceof IOException)) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String message(Throwable e) {
        String text;
        if (e instanceof FileAlreadyExistsException exists && exists.getFile() != null
                && exists.getFile().regionMatches(true, 0, TargetSpec.SPDK_PREFIX, 0, TargetSpec.SPDK_PREFIX.length())) {
            text = exists.getFile() + ": " + exists.getReason().replace(" (Options.withForce)", ""); // a namespace holding data
        } else if (e instanceof FileAlreadyExistsException exists) {
            text = exists.getFile() + " already exists; add --force to overwrite it";
        } else if (e instanceof NoSuchFileException missing) {
            text = missing.getFile() + ": " + (missing.getReason() != null ? missing.getReason() : "no such file");
        } else if (e instanceof AccessDeniedException denied) {
            text = denied.getFile() + ": " + (denied.getReason() != null ? denied.getReason() : "permission denied (EACCES)");
        } else if (e instanceof NotDirectoryException notDir) {
            text = notDir.getFile() + ": not a directory";
        } else if (e instanceof FileSystemException fs) {
            text = fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName())
                    + (fs.getOtherFile() != null ? " (" + fs.getOtherFile() + ")" : "");
        } else {
            text = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        return oneLine(text);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
