/**
 * BPF-KV's storage functions, run by the engine on every completed block: in Java
 * ({@link io.jxrp.bpfkv.function.GetFunction}, {@link io.jxrp.bpfkv.function.MultiGetFunction} with
 * 32 keys and 16 branches, {@link io.jxrp.bpfkv.function.RangeScanFunction} for pairs or aggregates,
 * resumable) and as eBPF programs ({@link io.jxrp.bpfkv.function.BpfFunctions}), both following
 * {@link io.jxrp.bpfkv.format.ScratchDescriptor}.
 */
package io.jxrp.bpfkv.function;
