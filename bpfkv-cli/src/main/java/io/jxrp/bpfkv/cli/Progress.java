package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.BlockChecksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * Progress bars on stderr, drawn only when stderr is a terminal: piped or redirected to a file (a
 * log, CI), a command prints no bar and so no terminal escapes; {@code --no-progress} turns it off
 * on a terminal too.
 */
final class Progress {
    @FunctionalInterface
    interface Work<T> {
        T run(BlockChecksums.Progress progress) throws IOException;
    }

    private Progress() {
    }

    /** True when stderr is a terminal (a tty or a pseudo-terminal), as Linux names its file descriptor 2. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // no /proc: no bar rather than escapes in a log
        }
    }

    /** Whether a command draws a bar: asked for (no --no-progress) and stderr is a terminal. */
    static boolean shown(boolean noProgress) {
        return !noProgress && stderrIsTerminal();
    }

    /** A bar of {@code total} units of {@code unitBytes} bytes (or plain counts when 1), or null when not {@link #shown}. */
    static ProgressBar bar(boolean noProgress, String task, long total, String unit, long unitSize) {
        if (!shown(noProgress)) {
            return null;
        }
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, total)).showSpeed();
        if (unit != null) {
            b.setUnit(unit, unitSize);
        }
        return b.build();
    }

    static <T> T run(boolean quiet, String task, long totalBytes, Work<T> work) throws IOException {
        ProgressBar bar = bar(quiet, task, totalBytes, " MiB", 1 << 20);
        if (bar == null) {
            return work.run(BlockChecksums.Progress.NONE);
        }
        try (bar) {
            return work.run((done, total) -> bar.stepTo(done));
        }
    }
}
