// Maps declared with key_size/value_size instead of key/value types, and a typedef'd value.
#include <jxrp/bpf_helpers.h>

typedef struct {
	__u64 words[3];
} triple_t;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 16);
	__uint(value_size, 40);
	__uint(max_entries, 100);
} raw SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, const triple_t);
} triples SEC(".maps");

SEC("prog")
int entry(void *ctx)
{
	__u32 zero = 0;
	triple_t *t = bpf_map_lookup_elem(&triples, &zero);
	if (!t)
		return -1;
	return t->words[0] + t->words[1] + t->words[2];
}
