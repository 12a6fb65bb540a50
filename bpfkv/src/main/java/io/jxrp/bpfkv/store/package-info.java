/**
 * The database behind {@code BpfKv} (internal): the tree file's generations, the memtables of
 * committed writes above it, the write-ahead log and its group committer, and checkpoints.
 */
package io.jxrp.bpfkv.store;
