/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jxrp storage-function context: XRP's struct bpf_xrp, little-endian, plus two jxrp fields.
 *
 *   offset  field             meaning
 *   0       u64 data          the block just read (a pointer)
 *   8       s32 done          set to 1: the request is finished
 *   16      u64 next_addr[16] logical file offsets to read next
 *   144     u64 size[16]      their sizes; 0 = no read in that slot
 *   272     u64 scratch       the request's scratch page (4096 B, or less if the request
 *                             asks for less: an access past its end faults; persists across hops)
 *   280     u64 cur_addr      jxrp: logical offset of data
 *   288     u32 slot          jxrp: which next_addr slot produced data
 *
 * Before every invocation done, next_addr and size are zero. A non-zero return value is an error.
 */
#ifndef JXRP_XRP_H
#define JXRP_XRP_H

#include <linux/types.h>

#define XRP_MAX_FANOUT 16
#define XRP_SCRATCH_SIZE 4096

struct bpf_xrp {
	union {
		char *data;
		__u64 data_addr;
	};
	__s32 done;
	__u32 __pad0;
	__u64 next_addr[XRP_MAX_FANOUT];
	__u64 size[XRP_MAX_FANOUT];
	union {
		char *scratch;
		__u64 scratch_addr;
	};
	__u64 cur_addr;
	__u32 slot;
	__u32 __pad1;
};

_Static_assert(__builtin_offsetof(struct bpf_xrp, data) == 0, "data at 0");
_Static_assert(__builtin_offsetof(struct bpf_xrp, done) == 8, "done at 8");
_Static_assert(__builtin_offsetof(struct bpf_xrp, next_addr) == 16, "next_addr at 16");
_Static_assert(__builtin_offsetof(struct bpf_xrp, size) == 144, "size at 144");
_Static_assert(__builtin_offsetof(struct bpf_xrp, scratch) == 272, "scratch at 272");
_Static_assert(__builtin_offsetof(struct bpf_xrp, cur_addr) == 280, "cur_addr at 280");
_Static_assert(__builtin_offsetof(struct bpf_xrp, slot) == 288, "slot at 288");
_Static_assert(sizeof(struct bpf_xrp) == 296, "struct bpf_xrp is 296 bytes");

#endif /* JXRP_XRP_H */
