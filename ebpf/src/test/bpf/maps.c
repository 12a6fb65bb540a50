// Map access from programs: an invocation counter in an array map and a hash map keyed by r1's u64.
#include <jxrp/bpf_helpers.h>

struct value {
	__u64 count;
	__u64 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct value);
} seen SEC(".maps");

struct input {
	__u64 key;
	__u64 stamp;
};

/* Counts the call, then upserts seen[key] = {count + 1, stamp}; returns the new count for key. */
SEC("count")
int count_key(struct input *in)
{
	__u32 zero = 0;
	__u64 *calls = bpf_map_lookup_elem(&counters, &zero);
	if (calls)
		__sync_fetch_and_add(calls, 1);

	__u64 key = in->key;
	struct value *v = bpf_map_lookup_elem(&seen, &key);
	if (v) {
		v->count++;
		v->last = in->stamp;
		return v->count;
	}
	struct value fresh = {1, in->stamp};
	if (bpf_map_update_elem(&seen, &key, &fresh, BPF_NOEXIST))
		return -1;
	return 1;
}

/* Deletes seen[key]; returns the helper's result (0 or -ENOENT). */
SEC("forget")
int forget_key(struct input *in)
{
	__u64 key = in->key;
	return bpf_map_delete_elem(&seen, &key);
}
