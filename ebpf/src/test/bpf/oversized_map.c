// SPDX-License-Identifier: Apache-2.0
/*
 * A map whose value is 1 GiB: clang computes type sizes in bits, so the struct's BTF size wraps to 0.
 * The loader must say so, not report "value size 0" (ErrorMessagesTest).
 */
#include <jxrp/bpf_helpers.h>

struct huge {
	char bytes[1 << 30];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct huge);
} huge_map SEC(".maps");

SEC("xrp/huge")
int huge(void *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&huge_map, &key) ? 1 : 0;
}
