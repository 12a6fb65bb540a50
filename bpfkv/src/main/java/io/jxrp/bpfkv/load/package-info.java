/**
 * Point-lookup load on a database (internal, shared by the {@code bpfkv} command and the benchmark
 * harness): {@link io.jxrp.bpfkv.load.LoadGenerator} (closed and open loop, latencies per thread).
 */
package io.jxrp.bpfkv.load;
