package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.BlockChecksums;
import java.io.IOException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** A progress bar on stderr (or none) for the commands that read a whole file. */
final class Progress {
    @FunctionalInterface
    interface Work<T> {
        T run(BlockChecksums.Progress progress) throws IOException;
    }

    private Progress() {
    }

    static <T> T run(boolean quiet, String task, long totalBytes, Work<T> work) throws IOException {
        if (quiet) {
            return work.run(BlockChecksums.Progress.NONE);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, totalBytes))
                .setUnit(" MiB", 1 << 20).showSpeed().build()) {
            return work.run((done, total) -> bar.stepTo(done));
        }
    }
}
