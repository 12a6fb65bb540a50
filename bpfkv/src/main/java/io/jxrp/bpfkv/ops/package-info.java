/**
 * BPF-KV's operations (internal): {@link io.jxrp.bpfkv.ops.EngineOps} builds engine requests for the
 * storage functions and redoes any operation whose outcome is not OK on
 * {@link io.jxrp.bpfkv.ops.PreadTraversal}, one O_DIRECT pread per node and value block, every node
 * checked; the engine's fallback and the benchmark baseline.
 */
package io.jxrp.bpfkv.ops;
