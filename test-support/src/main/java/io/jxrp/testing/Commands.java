package io.jxrp.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host commands for fixtures (mount, losetup, dmsetup, dd): output kept, a deadline, errors with both. */
public final class Commands {
    private static final long TIMEOUT_SECONDS = 120;

    private Commands() {
    }

    /** What a command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command} and returns its exit code and output; throws only when it cannot run or hangs. */
    public static Result execute(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit after " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new InterruptedIOException(String.join(" ", command) + ": interrupted");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** Runs {@code command}; returns its output, stripped; throws with the output when it exits non-zero. */
    public static String run(String... command) throws IOException {
        Result result = execute(List.of(command));
        if (!result.ok()) {
            throw new IOException(String.join(" ", command) + " exited " + result.exitCode() + ": "
                    + result.output().strip());
        }
        return result.output().strip();
    }
}
