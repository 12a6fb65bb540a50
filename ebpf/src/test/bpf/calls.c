// bpf-to-bpf calls into .text subprograms, nested three deep, with loops and stack use in each frame.
#include <jxrp/bpf_helpers.h>

static __noinline __u64 mix(__u64 a, __u64 b)
{
	volatile __u64 spill[4] = {a, b, a ^ b, a + b};
	return spill[0] * 31 + spill[1] * 17 + spill[2] + spill[3];
}

static __noinline __u64 fold(const __u64 *values, __u32 n)
{
	__u64 acc = 7;
	for (__u32 i = 0; i < n && i < 16; i++)
		acc = mix(acc, values[i]);
	return acc;
}

__noinline __u64 checksum_bytes(const __u8 *bytes, __u32 len)
{
	__u64 words[16] = {};
	for (__u32 i = 0; i < 16 * 8 && i < len; i++)
		words[i / 8] = (words[i / 8] << 8) | bytes[i];
	return fold(words, (len + 7) / 8);
}

struct blob {
	__u32 len;
	__u8 bytes[128];
};

SEC("checksum")
__u64 checksum_prog(struct blob *b)
{
	__u32 len = b->len;
	if (len > 128)
		return 0;
	return checksum_bytes(b->bytes, len);
}
