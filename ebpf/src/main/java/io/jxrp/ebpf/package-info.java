/**
 * eBPF runtime for jxrp: RFC 9669 ISA at CPU v4, an ELF/BTF loader for {@code clang -target bpf}
 * objects, a load-time verifier, an interpreter and a JIT to JVM bytecode, maps and helpers.
 * Depends on no other jxrp module.
 *
 * <h2>Using it</h2>
 * <pre>{@code
 * BpfObject obj = BpfObject.load(Path.of("lookup.o"));          // BpfLoadException if rejected
 * BpfProgram prog = obj.program("xrp").orElseThrow();            // by section or function name
 * BpfMap cache = obj.map("cache").orElseThrow();                 // shared with the program
 *
 * BpfMachine vm = new BpfMachine(ExecutionMode.JIT);             // one per thread, reusable
 * vm.bind(Region.CONTEXT, ctx);                                  // MemorySegments, rebind freely
 * vm.bind(Region.DATA, block);
 * ctx.set(JAVA_LONG_UNALIGNED, 0, vm.address(Region.DATA));      // pointers the program follows
 * long r0 = vm.run(prog, vm.address(Region.CONTEXT));            // BpfFault on a violation
 * }</pre>
 *
 * <h2>Memory model</h2>
 * Programs see region-tagged virtual addresses (region id in the upper 32 bits, offset in the
 * lower; see {@code Addresses}): the host-bound {@link io.jxrp.ebpf.Region regions}, a 4 KiB stack
 * (8 frames of 512 B, r10 per frame), and the value storage of every map of the running program
 * (global data sections are one-entry array maps). Every load and store is bounds-checked against
 * its region in both execution modes — where the verifier proved the region and bounds, by the JVM's
 * own check on a plain segment access, elsewhere by the machine's region lookup; an instruction
 * budget, counted per basic block and checked at backward jumps and the exit, bounds every run. Violations raise {@link io.jxrp.ebpf.BpfFault} with the pc, the disassembled instruction and
 * the reason; the JVM never sees an out-of-bounds access.
 *
 * <h2>Layouts shared with the host</h2>
 * {@link io.jxrp.ebpf.BpfObject#layout(String)} gives a struct or union as the object's BTF lays it
 * out ({@link io.jxrp.ebpf.BtfLayout}); {@code layout.field("keys").index(i).setLong(scratch, key)}
 * writes a field without hard-coded offsets.
 *
 * <h2>Writing programs in C</h2>
 * Include {@code <jxrp/bpf_helpers.h>} (SEC, BTF map macros, the helpers: map lookup/update/delete,
 * ktime_get_ns, trace_printk/bpf_printk, get_prandom_u32, get_smp_processor_id) and, for storage
 * functions, {@code <jxrp/xrp.h>} ({@code struct bpf_xrp}). Both live in
 * {@code ebpf/src/main/bpf/include}. Compile with
 * {@code clang -target bpf -O2 -g -mcpu=v3 -I ebpf/src/main/bpf/include -I/usr/include/$(gcc -dumpmachine) -c f.c}
 * ({@code -g} is required for BTF maps), or reuse {@code ebpf/src/build/compile-bpf.sh src include out}.
 */
package io.jxrp.ebpf;
