package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "range", mixinStandardHelpOptions = true,
        header = "Scans a key range: counts, lists or aggregates its pairs.",
        description = {"Scans the keys in [BEGIN, END) (flags change the bounds): prints the number of pairs,",
                "the pairs with --dump, or aggregates of the values (parsed as decimal numbers)."})
final class RangeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "1", paramLabel = "BEGIN", description = "first key (decimal, 0..2^64-2)")
    String begin;

    @Parameters(index = "2", paramLabel = "END", description = "end key, not included unless --end-inclusive; at least BEGIN")
    String end;

    @Option(names = "--begin-exclusive", description = "leave BEGIN out")
    boolean beginExclusive;

    @Option(names = "--end-inclusive", description = "include END")
    boolean endInclusive;

    @Option(names = "--dump", description = "print every pair: KEY VALUE")
    boolean dump;

    @Option(names = "--count", description = "aggregate: the number of pairs in the range")
    boolean count;
    @Option(names = "--sum", description = "aggregate: the sum of the values, each parsed as a decimal number")
    boolean sum;
    @Option(names = "--min", description = "aggregate: the smallest value ('none' for an empty range)")
    boolean min;
    @Option(names = "--max", description = "aggregate: the largest value ('none' for an empty range)")
    boolean max;
    @Option(names = "--avg", description = "aggregate: the mean of the values ('none' for an empty range); the aggregates are "
            + "computed inside the storage function, one engine request per 32 pairs")
    boolean avg;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        database.validate(spec);
        long first = Arguments.key(spec, "BEGIN", begin);
        long last = Arguments.key(spec, "END", end);
        if (Long.compareUnsigned(first, last) > 0) {
            throw new ParameterException(spec.commandLine(), "BEGIN " + begin + " is greater than END " + end
                    + ": the range would be empty");
        }
        KeyRange range = new KeyRange(first, last, beginExclusive, endInclusive); // keys are unsigned throughout
        try (BpfKv db = database.open(spec)) {
            long started = System.nanoTime();
            if (json.enabled) {
                Map<String, Object> out = JsonOutput.object("begin", Long.toUnsignedString(first), "end", Long.toUnsignedString(last),
                        "begin_exclusive", beginExclusive, "end_inclusive", endInclusive);
                if (count || sum || min || max || avg) {
                    Aggregate a = db.aggregate(range);
                    out.put("count", a.count());
                    out.put("sum", a.sum());
                    out.put("min", a.count() == 0 ? null : a.min());
                    out.put("max", a.count() == 0 ? null : a.max());
                    out.put("avg", a.count() == 0 ? null : a.avg());
                } else {
                    List<Map<String, Object>> pairs = new ArrayList<>();
                    long n = 0;
                    try (Stream<KeyValue> stream = db.range(range)) {
                        for (var iterator = stream.iterator(); iterator.hasNext(); n++) {
                            KeyValue pair = iterator.next();
                            if (dump) {
                                pairs.add(JsonOutput.object("key", Long.toUnsignedString(pair.key()), "value", pair.valueText()));
                            }
                        }
                    }
                    out.put("pairs", n);
                    if (dump) {
                        out.put("dump", pairs);
                    }
                }
                out.put("milliseconds", (System.nanoTime() - started) / 1e6);
                out.put("path", database.describe(db));
                JsonOutput.print(out);
                return 0;
            }
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
                            System.out.println(Long.toUnsignedString(pair.key()) + " " + pair.valueText());
                        }
                    }
                }
                System.out.println(pairs + (pairs == 1 ? " pair" : " pairs"));
            }
            System.err.printf(Locale.ROOT, "%.3f ms, %s%s%n", (System.nanoTime() - started) / 1e6, database.describe(db),
                    db.stats().totalFallbacks() > 0 ? ", fallbacks " + db.stats().fallbacks() : "");
        }
        return 0;
    }
}
