/**
 * BPF-KV on jxrp: the original BPF-KV's B+-tree file, byte for byte, looked up through the
 * resubmission engine.
 *
 * <ul>
 *   <li>Format: {@link io.jxrp.bpfkv.NodeDescriptor} (node and value-log layout, checks) and
 *       {@link io.jxrp.bpfkv.TreeLayout} (levels, sizes, layer count from the file size).</li>
 *   <li>Creation: {@link io.jxrp.bpfkv.DbBuilder}, generating blocks into aligned off-heap buffers
 *       written by a {@link io.jxrp.bpfkv.BlockWriter} (io_uring through the shim, or FileChannel),
 *       O_DIRECT, one fsync.</li>
 *   <li>The synchronous path: {@link io.jxrp.bpfkv.PreadTraversal}, one O_DIRECT pread per node and
 *       value block, every node checked; the engine's fallback and the benchmark baseline.</li>
 *   <li>Storage functions (Java, run by the engine on every completed block), their scratch layouts
 *       in {@link io.jxrp.bpfkv.ScratchDescriptor}: {@link io.jxrp.bpfkv.GetFunction},
 *       {@link io.jxrp.bpfkv.MultiGetFunction} (32 keys, 16 branches),
 *       {@link io.jxrp.bpfkv.RangeScanFunction} (pairs or aggregates, resumable).</li>
 *   <li>The API: {@link io.jxrp.bpfkv.BpfKv}.</li>
 * </ul>
 *
 * Keys are dense (0 .. 31^L - 1): a key of that range that its path does not lead to is reported as
 * a corrupt file ({@link io.jxrp.bpfkv.BpfKvFormatException}), never as "not found".
 */
package io.jxrp.bpfkv;
