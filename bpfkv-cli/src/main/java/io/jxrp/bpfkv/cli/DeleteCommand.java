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

    @Override
    public Integer call() throws Exception {
        try (BpfKv db = BpfKv.open(database.file(), database.options(spec).withWritable(true)
                .withCheckpointOnClose(!noCheckpoint))) {
            if (db.get(key).isEmpty()) {
                System.out.println(Long.toUnsignedString(key) + " not found");
                return BpfKvCli.EXIT_NOT_FOUND;
            }
            db.delete(key);
            System.out.println("deleted " + Long.toUnsignedString(key));
        }
        return 0;
    }
}
