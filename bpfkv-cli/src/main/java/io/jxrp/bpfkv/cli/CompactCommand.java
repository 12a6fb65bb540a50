package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKv;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "compact", mixinStandardHelpOptions = true,
        header = "Folds the write-ahead log into the database file.",
        description = {"Folds the write-ahead log into the database file: the live pairs are written as a new packed",
                "file in the original's layout (every node full but the last of each level, no dead value slots),",
                "which replaces the database once complete; the log files it held are deleted."})
final class CompactCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        long before = Files.size(database.file());
        long started = System.nanoTime();
        long keys;
        long pending;
        try (BpfKv db = BpfKv.open(database.file(), database.options(spec).withWritable(true).withCheckpointOnClose(false))) {
            pending = db.pendingWrites();
            db.checkpoint();
            keys = db.layout().keyCount();
        }
        long after = Files.size(database.file());
        double seconds = (System.nanoTime() - started) / 1e9;
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("database", database.file().toString(), "writes_folded", pending, "keys", keys,
                    "size_bytes_before", before, "size_bytes_after", after, "seconds", seconds));
            return 0;
        }
        System.out.printf(Locale.ROOT, "compacted %s: %,d writes from the log folded in, %,d keys, %d -> %d bytes in %.2f s%n",
                database.file(), pending, keys, before, after, seconds);
        return 0;
    }
}
