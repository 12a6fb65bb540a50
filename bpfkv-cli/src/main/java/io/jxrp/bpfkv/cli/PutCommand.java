package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.io.PairLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "put", mixinStandardHelpOptions = true,
        header = "Puts KEY VALUE, or a stream of KEY<TAB>VALUE lines, durably.",
        description = {"Puts KEY VALUE, or a stream of KEY<TAB>VALUE lines (--from FILE|-), durably: each group of puts",
                "is one write-ahead-log record, written and fdatasync'ed through the engine while the next group is",
                "read; 'committed N' (the count so far) is printed after each durable group. At the end the log is",
                "folded into the database file (a checkpoint) unless --no-checkpoint. A malformed line stops the stream",
                "with its line number; what was committed before it stays. With --json: one object at the end instead."})
final class PutCommand implements Callable<Integer> {
    /** Puts read ahead of the commits at most (memory bound for long streams). */
    static final int MAX_IN_FLIGHT = 65_536;

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY", converter = UnsignedKey.class,
            description = "the key (unsigned 64-bit, not 18446744073709551615)")
    Long key;

    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE", description = "the value (UTF-8, up to 64 bytes)")
    String value;

    @Option(names = "--from", paramLabel = "FILE|-", description = "KEY<TAB>VALUE lines: a file, or - for standard input")
    String from;

    @Option(names = "--no-checkpoint", description = "leave the writes in the log (replayed at the next open) instead of "
            + "folding them into the database file at the end")
    boolean noCheckpoint;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        if ((from == null) == (key == null) || (key != null && value == null) || (from != null && value != null)) {
            throw new IllegalArgumentException("give KEY VALUE, or --from FILE|- (not both)");
        }
        long started = System.nanoTime();
        boolean checkpointed;
        long committed;
        try (BpfKv db = BpfKv.open(database.file(), database.options(spec).withWritable(true)
                .withCheckpointOnClose(!noCheckpoint))) {
            if (key != null) {
                db.put(key, value);
                if (!json.enabled) {
                    System.out.println("committed 1");
                }
            } else {
                stream(db);
            }
            committed = db.committed();
            checkpointed = !noCheckpoint && db.pendingWrites() > 0;
            if (checkpointed && !json.enabled) {
                System.out.println("checkpoint: writing the log into " + database.file());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("database", database.file().toString(), "committed", committed,
                    "checkpoint", checkpointed, "seconds", seconds));
        } else if (from != null) {
            System.err.printf(Locale.ROOT, "%.2f s%n", seconds);
        }
        return 0;
    }

    private void stream(BpfKv db) throws IOException, InterruptedException {
        Object printing = new Object();
        long[] printed = {0};
        db.onCommit(total -> {
            if (json.enabled) {
                return; // one object at the end
            }
            synchronized (printing) {
                if (total > printed[0]) { // groups may report out of order to listeners on other threads
                    printed[0] = total;
                    System.out.println("committed " + total);
                }
            }
        });
        String source = from.equals("-") ? "<stdin>" : from;
        Semaphore window = new Semaphore(MAX_IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        IllegalArgumentException malformed = null;
        try (BufferedReader reader = from.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16)
                : Files.newBufferedReader(Path.of(from), StandardCharsets.UTF_8)) {
            PairLines lines = new PairLines(reader, source);
            while (failure.get() == null) {
                KeyValue pair;
                try {
                    if (!lines.hasNext()) {
                        break;
                    }
                    pair = lines.next();
                } catch (IllegalArgumentException e) {
                    malformed = e;
                    break;
                }
                window.acquire();
                CompletableFuture<Void> put = db.putAsync(pair.key(), pair.value());
                put.whenComplete((ignored, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error instanceof CompletionException c ? c.getCause() : error);
                    }
                    window.release();
                });
            }
        }
        window.acquire(MAX_IN_FLIGHT); // every put read so far has committed (or failed)
        synchronized (printing) {
            if (!json.enabled && (db.committed() > printed[0] || db.committed() == 0)) {
                printed[0] = db.committed();
                System.out.println("committed " + db.committed());
            }
        }
        if (failure.get() != null) {
            Throwable cause = failure.get();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
        if (malformed != null) {
            throw new IllegalArgumentException(malformed.getMessage() + " (" + db.committed()
                    + " committed before it)", malformed);
        }
    }
}
