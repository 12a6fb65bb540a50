// A storage function over the jxrp context: walks a linked list of 512-byte blocks.
// Block layout: u64 next (logical offset, 0 = end), u64 value. Sums values into scratch[0],
// counts hops in scratch[1]; a block whose value is 0xdead is an error.
#include <jxrp/bpf_helpers.h>
#include <jxrp/xrp.h>

SEC("xrp")
int walk(struct bpf_xrp *ctx)
{
	__u64 *block = (__u64 *)ctx->data;
	__u64 *scratch = (__u64 *)ctx->scratch;
	__u64 next = block[0];
	__u64 value = block[1];
	if (value == 0xdead)
		return 1;
	scratch[0] += value;
	scratch[1]++;
	if (next == 0) {
		ctx->done = 1;
		return 0;
	}
	ctx->next_addr[0] = next;
	ctx->size[0] = 512;
	return 0;
}
