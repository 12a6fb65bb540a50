package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKv;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true,
        header = "Deletes KEY durably.",
        description = {"Deletes KEY durably (a write-ahead-log record, fdatasync'ed), then folds the log into the",
                "database file unless --no-checkpoint. Exit 1 when the key was not there (nothing is written then)."})
final class DeleteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "1", paramLabel = "KEY", converter = UnsignedKey.class,
            description = "the key (unsigned 64-bit)")
    long key;

    @Option(names = "--no-checkpoint", description = "leave the delete in the log (replayed at the next open)")
    boolean noCheckpoint;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        try (BpfKv db = BpfKv.open(database.file(), database.options(spec).withWritable(true)
                .withCheckpointOnClose(!noCheckpoint))) {
            boolean present = db.get(key).isPresent();
            if (present) {
                db.delete(key);
            }
            if (json.enabled) {
                JsonOutput.print(JsonOutput.object("database", database.file().toString(), "key", Long.toUnsignedString(key),
                        "deleted", present));
            } else {
                System.out.println(present ? "deleted " + Long.toUnsignedString(key) : Long.toUnsignedString(key) + " not found");
            }
            if (!present) {
                return BpfKvCli.EXIT_NOT_FOUND;
            }
        }
        return 0;
    }
}
