/**
 * BPF-KV's binary formats: {@link io.jxrp.bpfkv.format.NodeDescriptor} (node and value-log layout,
 * checks), {@link io.jxrp.bpfkv.format.TreeLayout} (levels, sizes, layer count from the file size) and
 * {@link io.jxrp.bpfkv.format.ScratchDescriptor} (the scratch layout shared by the Java and eBPF
 * storage functions).
 */
package io.jxrp.bpfkv.format;
