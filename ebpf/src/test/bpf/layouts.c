// Struct and union layouts for the BTF layout tests. The object records what clang itself computed
// (sizeof, offsetof, and bitfield bit patterns from designated initialisers) in .rodata, so the
// test checks jxrp's reading of BTF against the compiler, not against numbers copied by hand.
#include <jxrp/bpf_helpers.h>
#include <jxrp/xrp.h>

struct inner {
	__u16 a;
	__u64 b;
};

struct bits {
	__u32 x;
	__u8 a : 3, b : 5;
	__u16 c : 9;
	__s32 d : 7;
	unsigned long long e : 40;
	__s8 f;
};

union either {
	__u32 word;
	__u8 bytes[4];
	struct inner in;
};

enum colour { RED = 1, GREEN = -2, BLUE = 0x7fffffff };

typedef struct query {
	__u32 count;
	__u32 next;
	__u64 keys[32];
	__u8 status[32];
	struct inner nested[2];
	union {
		__u64 raw;
		struct {
			__u32 lo;
			__u32 hi;
		};
	};
	__s16 matrix[3][5];
	enum colour colour;
	char *pointer;
	char tail;
} query_t;

// BTF describes the types of global variables and function signatures, not of locals: these
// pointers make the layouts part of the object's BTF (the idiom bpf2go documents).
query_t *layout_query __attribute__((unused));
struct bits *layout_bits __attribute__((unused));
union either *layout_either __attribute__((unused));

#define OFF(t, f) __builtin_offsetof(t, f)

// sizeof and offsetof as clang computes them, in this order (the test names each entry).
const __u64 expected[] = {
	sizeof(query_t), OFF(query_t, count), OFF(query_t, next), OFF(query_t, keys), OFF(query_t, status),
	OFF(query_t, nested), OFF(query_t, nested[1].b), OFF(query_t, raw), OFF(query_t, lo), OFF(query_t, hi),
	OFF(query_t, matrix), OFF(query_t, matrix[2][3]), OFF(query_t, colour), OFF(query_t, pointer),
	OFF(query_t, tail), sizeof(struct bits), OFF(struct bits, f), sizeof(union either), sizeof(struct inner),
	OFF(struct inner, b),
};

// One instance per bitfield with only that field set: the test sets the same field through BTF
// in zeroed memory and expects these exact bytes.
const struct bits bits_a = {.a = 5};
const struct bits bits_b = {.b = 0x1f};
const struct bits bits_c = {.c = 0x155};
const struct bits bits_d = {.d = -3};
const struct bits bits_e = {.e = 0xfedcba9876ULL};

// A program that fills a query in the scratch page, for the host to read back through BTF.
SEC("xrp")
int fill_query(struct bpf_xrp *ctx)
{
	query_t *q = (query_t *)ctx->scratch;
	q->count = 3;
	for (int i = 0; i < 3; i++) {
		q->keys[i] = 1000 + i;
		q->status[i] = i + 1;
	}
	q->nested[1].b = 77;
	q->hi = 0xabcd;
	q->matrix[2][3] = -5;
	q->colour = GREEN;
	q->tail = 'z';
	ctx->done = 1;
	return 0;
}
