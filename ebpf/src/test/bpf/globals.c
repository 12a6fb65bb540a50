// Global data: a read-only table (.rodata), an initialised counter (.data), a zeroed buffer (.bss),
// and bpf_printk (format string in .rodata).
#include <jxrp/bpf_helpers.h>

static const __u32 squares[8] = {0, 1, 4, 9, 16, 25, 36, 49};
__u64 calls = 100;
__u64 history[4];

SEC("globals")
int lookup_square(__u64 *in)
{
	__u64 i = *in & 7;
	calls++;
	history[calls & 3] = i;
	bpf_printk("square of %llu is %u (call %llu)", i, squares[i], calls);
	return squares[i] + (int)(calls - 100) * 1000;
}
