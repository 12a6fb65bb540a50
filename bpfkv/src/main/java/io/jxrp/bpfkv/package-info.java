/**
 * BPF-KV on jxrp: the original BPF-KV's B+-tree file, byte for byte, looked up through the
 * resubmission engine. This package is the API: {@link io.jxrp.bpfkv.BpfKv} (open a database, point
 * and scatter-gather lookups, range scans, aggregates), its options and its answers
 * ({@link io.jxrp.bpfkv.KeyValue}, {@link io.jxrp.bpfkv.KeyRange}, {@link io.jxrp.bpfkv.Aggregate}),
 * and the choice of storage functions ({@link io.jxrp.bpfkv.StorageFunctions}).
 *
 * <p>The store's parts, one package each:
 * <ul>
 *   <li>{@link io.jxrp.bpfkv.format}: the on-disk format ({@code NodeDescriptor}, {@code TreeLayout})
 *       and the storage functions' scratch layout ({@code ScratchDescriptor}).</li>
 *   <li>{@link io.jxrp.bpfkv.function}: the storage functions, in Java and as eBPF programs.</li>
 *   <li>{@link io.jxrp.bpfkv.io}: creating a database ({@code DbBuilder}) and the block readers and
 *       writers under it.</li>
 *   <li>{@code io.jxrp.bpfkv.ops} (internal): the operations as engine requests with their slow path,
 *       and the synchronous pread traversal.</li>
 *   <li>{@code io.jxrp.bpfkv.load} (internal, shared with the command line and the benchmarks): the
 *       lookup load generator.</li>
 *   <li>{@code io.jxrp.bpfkv.store} (internal): the write-ahead log, its group committer, the
 *       memtables above the tree file and the checkpoints that fold them in.</li>
 * </ul>
 *
 * Keys are any unsigned 64-bit integers but 2^64 - 1 (which marks unused slots), values up to 64
 * bytes. In {@code create}'s files the keys are dense (0 .. 31^L - 1): there a key of that range that
 * its path does not lead to is reported as a corrupt file ({@link io.jxrp.bpfkv.BpfKvFormatException}),
 * never as "not found".
 */
package io.jxrp.bpfkv;
