package io.jxrp.bpfkv;

/** Aggregations over the values of a key range, the values parsed as decimal numbers. */
public enum AggregateOp {
    COUNT, SUM, MIN, MAX, AVG
}
