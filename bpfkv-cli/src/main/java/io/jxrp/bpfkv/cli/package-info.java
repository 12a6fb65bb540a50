/**
 * The {@code bpfkv} command line ({@link io.jxrp.bpfkv.cli.BpfKvCli}): create, get (and the
 * original's closed-loop benchmark with its output lines), range, inspect.
 */
package io.jxrp.bpfkv.cli;
