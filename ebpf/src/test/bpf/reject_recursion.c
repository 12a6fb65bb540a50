// Must be rejected at load time: unbounded recursion between .text functions.
#include <jxrp/bpf_helpers.h>

__noinline int depth(volatile int *n)
{
	if (*n <= 0)
		return 0;
	(*n)--;
	return depth(n) + depth(n) + 1; /* two calls: clang cannot turn this into a loop */
}

SEC("prog")
int entry(int *ctx)
{
	volatile int n = *ctx;
	return depth(&n);
}
