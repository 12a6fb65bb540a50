package io.jxrp.bpfkv;

/**
 * The aggregate of a range's values (each parsed as a decimal number): all five results at once,
 * since computing them together costs one pass. {@code min} and {@code max} are 0 when the range
 * is empty; {@link #avg()} is NaN then.
 */
public record Aggregate(long count, long sum, long min, long max) {
    public static final Aggregate EMPTY = new Aggregate(0, 0, 0, 0);

    public double avg() {
        return count == 0 ? Double.NaN : (double) sum / count;
    }

    /** One of the results: COUNT, SUM, MIN, MAX as exact numbers, AVG as a double. */
    public Number get(AggregateOp op) {
        return switch (op) {
            case COUNT -> count;
            case SUM -> sum;
            case MIN -> min;
            case MAX -> max;
            case AVG -> avg();
        };
    }

    /** This aggregate with one more value. */
    public Aggregate plus(long value) {
        return count == 0 ? new Aggregate(1, value, value, value)
                : new Aggregate(count + 1, Math.addExact(sum, value), Math.min(min, value), Math.max(max, value));
    }

    /** The aggregate of both (for partial results). */
    public Aggregate merge(Aggregate other) {
        if (other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        return new Aggregate(count + other.count, Math.addExact(sum, other.sum), Math.min(min, other.min),
                Math.max(max, other.max));
    }
}
