/**
 * Creating a BPF-KV database: {@link io.jxrp.bpfkv.io.DbBuilder} generates blocks into aligned
 * off-heap buffers written by a {@link io.jxrp.bpfkv.io.BlockWriter} (io_uring through the shim, or
 * FileChannel), O_DIRECT, one fsync; {@link io.jxrp.bpfkv.io.BlockReader} reads blocks back for the
 * synchronous path.
 */
package io.jxrp.bpfkv.io;
