// The chain workload's storage function in C, the same as ChainFunctions.CHASE in Java:
// record = u64 next index, u64 payload; scratch = u64 remaining, xor, next, visited.
#include <jxrp/bpf_helpers.h>
#include <jxrp/xrp.h>

#define RECORD 512

SEC("xrp/chase")
int chase(struct bpf_xrp *ctx)
{
	__u64 *block = (__u64 *)ctx->data;
	__u64 *scratch = (__u64 *)ctx->scratch;
	__u64 next = block[0];

	scratch[1] ^= block[1];
	scratch[2] = next;
	scratch[3]++;
	if (--scratch[0] == 0) {
		ctx->done = 1;
		return 0;
	}
	ctx->next_addr[0] = next * RECORD;
	ctx->size[0] = RECORD;
	return 0;
}

// Reads past its block: the engine must report a function error, never crash.
SEC("xrp/out_of_bounds")
int out_of_bounds(struct bpf_xrp *ctx)
{
	__u64 *block = (__u64 *)ctx->data;
	return block[100] == 42; // byte 800 of a 512-byte block
}

// Never ends on its own: the instruction budget stops it.
SEC("xrp/spin")
int spin(struct bpf_xrp *ctx)
{
	volatile __u64 *scratch = (volatile __u64 *)ctx->scratch;
	while (scratch[0] == 0)
		scratch[1]++;
	return 0;
}
