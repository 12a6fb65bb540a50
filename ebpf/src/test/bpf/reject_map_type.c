// Must be rejected at load time: a per-CPU array map, which jxrp does not support.
#include <jxrp/bpf_helpers.h>

struct {
	__uint(type, 6); /* BPF_MAP_TYPE_PERCPU_ARRAY */
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

SEC("prog")
int entry(void *ctx)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&percpu, &zero) != 0;
}
