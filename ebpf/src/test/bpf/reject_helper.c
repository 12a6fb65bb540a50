// Must be rejected at load time: helper 14 (bpf_get_current_pid_tgid) does not exist in jxrp.
#include <jxrp/bpf_helpers.h>

static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;

SEC("prog")
int entry(void *ctx)
{
	return bpf_get_current_pid_tgid() != 0;
}
