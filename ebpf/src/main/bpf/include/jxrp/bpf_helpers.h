/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal helper declarations for programs run by jxrp's eBPF runtime (io.jxrp.ebpf).
 * Only the helpers listed here exist; calling any other id is rejected at load time.
 *
 * Maps are declared with BTF, e.g.
 *
 *   struct {
 *       __uint(type, BPF_MAP_TYPE_HASH);
 *       __uint(max_entries, 1024);
 *       __type(key, __u64);
 *       __type(value, struct my_value);
 *   } my_map SEC(".maps");
 *
 * Compile with: clang -target bpf -O2 -g -mcpu=v3 -I<jxrp>/ebpf/src/main/bpf/include
 *               -I/usr/include/$(gcc -dumpmachine) -c prog.c -o prog.o
 * (-g is required: map attributes live only in BTF.)
 */
#ifndef JXRP_BPF_HELPERS_H
#define JXRP_BPF_HELPERS_H

#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __noinline __attribute__((noinline))

/* BTF map definition attributes. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

enum jxrp_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
};

/* bpf_map_update_elem flags. */
#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_EXIST 2

/* Helpers, by kernel id. */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;
static __u32 (*bpf_get_prandom_u32)(void) = (void *)7;
static __u32 (*bpf_get_smp_processor_id)(void) = (void *)8;

/* Logs through slf4j (logger io.jxrp.ebpf.trace); %d %i %u %x %ld %lu %lx %lld %llu %llx %p %c, up to 3 arguments. */
#define bpf_printk(fmt, ...)                                                   \
	({                                                                     \
		static const char ____fmt[] = fmt;                             \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__);     \
	})

#endif /* JXRP_BPF_HELPERS_H */
