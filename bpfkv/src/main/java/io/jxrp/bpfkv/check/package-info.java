/**
 * Whole-file checks of a BPF-KV database: {@link io.jxrp.bpfkv.check.Scrub} (every block against its
 * checksum sidecar, {@code bpfkv scrub}) and {@link io.jxrp.bpfkv.check.DeepCheck} (every node and
 * value against the format's rules and create's layout, {@code bpfkv inspect --deep}). Both read the
 * file front to back once and report every problem with its byte offset.
 */
package io.jxrp.bpfkv.check;
