package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "range", mixinStandardHelpOptions = true,
        description = {"Scans the keys in [BEGIN, END) (flags change the bounds): prints the number of pairs,",
                "the pairs with --dump, or aggregates of the values (parsed as decimal numbers)."})
final class RangeCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Parameters(index = "1", paramLabel = "BEGIN")
    long begin;

    @Parameters(index = "2", paramLabel = "END")
    long end;

    @Option(names = "--begin-exclusive", description = "leave BEGIN out")
    boolean beginExclusive;

    @Option(names = "--end-inclusive", description = "include END")
    boolean endInclusive;

    @Option(names = "--dump", description = "print every pair: KEY VALUE")
    boolean dump;

    @Option(names = "--count")
    boolean count;
    @Option(names = "--sum")
    boolean sum;
    @Option(names = "--min")
    boolean min;
    @Option(names = "--max")
    boolean max;
    @Option(names = "--avg")
    boolean avg;

    @Override
    public Integer call() throws Exception {
        KeyRange range = new KeyRange(begin, end, beginExclusive, endInclusive);
        try (BpfKv db = database.open()) {
            long started = System.nanoTime();
            if (count || sum || min || max || avg) {
                Aggregate aggregate = db.aggregate(range);
                if (count) {
                    System.out.println("count " + aggregate.count());
                }
                if (sum) {
                    System.out.println("sum " + aggregate.sum());
                }
                if (min) {
                    System.out.println("min " + (aggregate.count() == 0 ? "none" : aggregate.min()));
                }
                if (max) {
                    System.out.println("max " + (aggregate.count() == 0 ? "none" : aggregate.max()));
                }
                if (avg) {
                    System.out.println("avg " + (aggregate.count() == 0 ? "none" : String.format(Locale.ROOT, "%.3f", aggregate.avg())));
                }
            } else {
                long pairs = 0;
                try (Stream<KeyValue> stream = db.range(range)) {
                    for (var iterator = stream.iterator(); iterator.hasNext(); pairs++) {
                        KeyValue pair = iterator.next();
                        if (dump) {
                            System.out.println(pair.key() + " " + pair.valueText());
                        }
                    }
                }
                System.out.println(pairs + " pairs");
            }
            System.err.printf(Locale.ROOT, "%.3f ms, %s%s%n", (System.nanoTime() - started) / 1e6, database.describe(db),
                    db.stats().totalFallbacks() > 0 ? ", fallbacks " + db.stats().fallbacks() : "");
        }
        return 0;
    }
}
