// SPDX-License-Identifier: Apache-2.0
/*
 * BPF-KV's storage functions as eBPF programs, run by jxrp's eBPF runtime (io.jxrp.ebpf) through
 * io.jxrp.engine.bpf.BpfStorageFunction. Each mirrors a Java function hop for hop: the same scratch
 * layout (ScratchDescriptor), the same next reads, the same checks and error codes
 * (TreeFunction.E_*), so EngineOps builds requests and reads results the same way whatever runs
 * them, and the tests compare the two after every hop.
 *
 *   xrp/get        GetFunction        point lookup: L index hops, then the value's block
 *   xrp/multi_get  MultiGetFunction   up to 32 keys, one branch per next-read slot (up to 16)
 *   xrp/range      RangeScanFunction  range scan (pairs) or aggregation, resumable
 *
 * The programs do not know the file: its tree parameters are in the first 32 B of the scratch
 * (written by the host before the first read). Nothing read from a block is trusted: node types,
 * pointers (bit 63, alignment, the level they must lead to, the key's own value slot where the
 * layout fixes it), key order and the bounds the parent's separators give are checked before use,
 * and every loop is bounded by the node's 31 keys, the 32 keys of a request or the scratch's
 * entries. The runtime bounds-checks every access and its instruction budget is the backstop.
 *
 * Blocks are always read 512 B at a time (the requests ask for no other size), so where the Java
 * functions check the data's size these programs rely on the runtime's bounds checks: a short block
 * ends the run with a fault, which the engine also reports as a function error.
 */
#include <jxrp/bpf_helpers.h>
#include <jxrp/xrp.h>

/*
 * __always_inline is only a hint here: <linux/stddef.h> (through the headers above) defines it as a
 * plain __inline__ before jxrp's header can, and clang 14 keeps the larger helpers as bpf-to-bpf
 * calls. That is what multi_get and range want (inlined everywhere they would outgrow one JVM method
 * in the JIT), but a call that takes pointers into the caller's frame (&t, the level's bounds) costs
 * the hot point lookup checked accesses and its promoted stack slots. get inlines those helpers with
 * __force_inline; everything else stays clang's choice.
 */
#define __force_inline inline __attribute__((always_inline))

/* ---- the file format (NodeDescriptor) ---- */
#define BLOCK_SIZE 512ULL
#define BLOCK_MASK (BLOCK_SIZE - 1)
#define FANOUT 31
#define VALUE_SIZE 64
#define MAX_LAYERS 10
#define FILE_OFFSET_BIT (1ULL << 63)
/* the key of an unused slot (NodeDescriptor.EMPTY_KEY): larger than every key */
#define EMPTY_KEY 0xffffffffffffffffULL
#define TYPE_INTERNAL 0
#define TYPE_LEAF 1
/* node words: next, type, key[31], ptr[31] */
#define NODE_NEXT 0
#define NODE_TYPE 1
#define NODE_KEY(k) (2 + (k))
#define NODE_PTR(k) (2 + FANOUT + (k))

/* ---- function error codes (TreeFunction) ---- */
#define E_NODE_TYPE 1
#define E_CHILD_POINTER 2
#define E_VALUE_POINTER 3
#define E_NEXT_POINTER 4
#define E_KEY_ORDER 5
#define E_UNEXPECTED_BLOCK 6
#define E_VALUE_TEXT 7
#define E_STATE 8
#define E_SEPARATOR 9

/* ---- scratch layouts (ScratchDescriptor) ---- */
/* tree parameters: the first 32 bytes of every scratch; each function's section follows */
#define PARAMS 0
#define SECTION 32

#define GET_KEY (SECTION + 0)
#define GET_FOUND (SECTION + 8)
#define GET_ERROR (SECTION + 16)
#define GET_VALUE (SECTION + 24)
#define GET_VALUE_OFFSET (SECTION + 88)
#define GET_LO (SECTION + 96)
#define GET_HI (SECTION + 104)

#define MULTI_MAX_KEYS 32
#define MULTI_MAX_BRANCHES 16
#define MULTI_COUNT (SECTION + 0)
#define MULTI_NEXT_KEY (SECTION + 4)
#define MULTI_RESOLVED (SECTION + 8)
#define MULTI_ERROR (SECTION + 12)
#define MULTI_ERROR_OFFSET (SECTION + 16)
#define MULTI_SLOT_KEY (SECTION + 24)
#define MULTI_KEYS (SECTION + 64)
#define MULTI_START (MULTI_KEYS + MULTI_MAX_KEYS * 8)
#define MULTI_VALUE_OFFSET (MULTI_START + MULTI_MAX_KEYS * 8)
#define MULTI_STATUS (MULTI_VALUE_OFFSET + MULTI_MAX_KEYS * 8)
#define MULTI_VALUES (MULTI_STATUS + MULTI_MAX_KEYS)
#define MULTI_LO (MULTI_VALUES + MULTI_MAX_KEYS * VALUE_SIZE)
#define MULTI_HI (MULTI_LO + MULTI_MAX_KEYS * 8)
#define STATUS_PENDING 0
#define STATUS_FOUND 1
#define STATUS_NOT_FOUND 2

#define MODE_PAIRS 0
#define RANGE_MODE (SECTION + 0)
#define RANGE_CAPACITY (SECTION + 4)
#define RANGE_FIRST (SECTION + 8)
#define RANGE_LAST (SECTION + 16)
#define RANGE_ASSIGNED (SECTION + 24)
#define RANGE_FILLED (SECTION + 28)
#define RANGE_MORE (SECTION + 32)
#define RANGE_ERROR (SECTION + 36)
#define RANGE_RESUME_KEY (SECTION + 40)
#define RANGE_RESUME_LEAF (SECTION + 48)
#define RANGE_PREV_KEY (SECTION + 56)
#define RANGE_COUNT (SECTION + 64)
#define RANGE_SUM (SECTION + 72)
#define RANGE_MIN (SECTION + 80)
#define RANGE_MAX (SECTION + 88)
#define RANGE_ERROR_OFFSET (SECTION + 96)
#define RANGE_FILL_FROM (SECTION + 104)
#define RANGE_LO (SECTION + 112)
#define RANGE_HI (SECTION + 120)
#define RANGE_ENTRIES (SECTION + 128)
#define PAIR_KEY 0
#define PAIR_VALUE_OFFSET 8
#define PAIR_VALUE 16
#define PAIR_SIZE 80
#define AGGREGATE_ENTRY_SIZE 8
#define MAX_PAIRS ((XRP_SCRATCH_SIZE - RANGE_ENTRIES) / PAIR_SIZE)
#define MAX_AGGREGATE_ENTRIES ((XRP_SCRATCH_SIZE - RANGE_ENTRIES) / AGGREGATE_ENTRY_SIZE)
/* value-block reads one leaf may start at once; slot 0 is the next leaf */
#define MAX_VALUE_SLOTS 15

#define PARAM_VALUE_LOG PARAMS
#define PARAM_FILE_SIZE (PARAMS + 8)
#define PARAM_LEAVES (PARAMS + 16)
#define PARAM_LAYERS (PARAMS + 24)
#define PARAM_FLAGS (PARAMS + 28)
/* key K's value is at value_log + K * 64 (create's layout) */
#define FLAG_FIXED_SLOTS 1

#define INT64_MAX_ 0x7fffffffffffffffLL

/*
 * The same layouts as C types. The code above addresses the scratch through the offsets; these
 * types let the object's BTF describe the layouts to the host: BpfFunctions checks
 * ScratchDescriptor's offsets against them when it loads this object (a mismatch is a load error,
 * never a silently misread scratch), and `jxrp-bpf btf bpfkv.o` prints them.
 */
struct bpfkv_params {
	__u64 value_log;
	__u64 file_size;
	__u64 leaves;
	__u32 layers;
	__u32 flags;
};

struct bpfkv_get {
	struct bpfkv_params params;
	__u64 key;
	__u64 found;
	__u64 error;
	__u8 value[VALUE_SIZE];
	__u64 value_offset;
	__u64 lo;
	__u64 hi;
};

struct bpfkv_multi_get {
	struct bpfkv_params params;
	__u32 count;
	__u32 next_key;
	__u32 resolved;
	__u32 error;
	__u64 error_offset;
	__u8 slot_key[MULTI_MAX_BRANCHES];
	__u8 reserved[24];
	__u64 keys[MULTI_MAX_KEYS];
	__u64 start[MULTI_MAX_KEYS];
	__u64 value_offset[MULTI_MAX_KEYS];
	__u8 status[MULTI_MAX_KEYS];
	__u8 values[MULTI_MAX_KEYS][VALUE_SIZE];
	__u64 lo[MULTI_MAX_KEYS];
	__u64 hi[MULTI_MAX_KEYS];
};

struct bpfkv_range_pair {
	__u64 key;
	__u64 value_offset;
	__u8 value[VALUE_SIZE];
};

struct bpfkv_range {
	struct bpfkv_params params;
	__u32 mode;
	__u32 capacity;
	__u64 first;
	__u64 last;
	__u32 assigned;
	__u32 filled;
	__u32 more;
	__u32 error;
	__u64 resume_key;
	__u64 resume_leaf;
	__u64 prev_key;
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
	__u64 error_offset;
	__u32 fill_from;
	__u32 reserved;
	__u64 lo;
	__u64 hi;
	union {
		struct bpfkv_range_pair pairs[MAX_PAIRS];
		__u64 value_offsets[MAX_AGGREGATE_ENTRIES];
	} entries;
};

/* BTF describes the types of globals, not of locals: these (never used) pointers put the layouts in it. */
struct bpfkv_get *bpfkv_get_layout __attribute__((unused));
struct bpfkv_multi_get *bpfkv_multi_get_layout __attribute__((unused));
struct bpfkv_range *bpfkv_range_layout __attribute__((unused));

#define LAYOUT_IS(type, field, offset) _Static_assert(__builtin_offsetof(struct type, field) == (offset), #type "." #field)
LAYOUT_IS(bpfkv_params, layers, PARAM_LAYERS);
LAYOUT_IS(bpfkv_params, flags, PARAM_FLAGS);
LAYOUT_IS(bpfkv_get, key, GET_KEY);
LAYOUT_IS(bpfkv_get, found, GET_FOUND);
LAYOUT_IS(bpfkv_get, error, GET_ERROR);
LAYOUT_IS(bpfkv_get, value, GET_VALUE);
LAYOUT_IS(bpfkv_get, value_offset, GET_VALUE_OFFSET);
LAYOUT_IS(bpfkv_get, lo, GET_LO);
LAYOUT_IS(bpfkv_get, hi, GET_HI);
LAYOUT_IS(bpfkv_multi_get, count, MULTI_COUNT);
LAYOUT_IS(bpfkv_multi_get, next_key, MULTI_NEXT_KEY);
LAYOUT_IS(bpfkv_multi_get, resolved, MULTI_RESOLVED);
LAYOUT_IS(bpfkv_multi_get, error, MULTI_ERROR);
LAYOUT_IS(bpfkv_multi_get, error_offset, MULTI_ERROR_OFFSET);
LAYOUT_IS(bpfkv_multi_get, slot_key, MULTI_SLOT_KEY);
LAYOUT_IS(bpfkv_multi_get, keys, MULTI_KEYS);
LAYOUT_IS(bpfkv_multi_get, start, MULTI_START);
LAYOUT_IS(bpfkv_multi_get, value_offset, MULTI_VALUE_OFFSET);
LAYOUT_IS(bpfkv_multi_get, status, MULTI_STATUS);
LAYOUT_IS(bpfkv_multi_get, values, MULTI_VALUES);
LAYOUT_IS(bpfkv_multi_get, lo, MULTI_LO);
LAYOUT_IS(bpfkv_multi_get, hi, MULTI_HI);
LAYOUT_IS(bpfkv_range, mode, RANGE_MODE);
LAYOUT_IS(bpfkv_range, capacity, RANGE_CAPACITY);
LAYOUT_IS(bpfkv_range, first, RANGE_FIRST);
LAYOUT_IS(bpfkv_range, last, RANGE_LAST);
LAYOUT_IS(bpfkv_range, assigned, RANGE_ASSIGNED);
LAYOUT_IS(bpfkv_range, filled, RANGE_FILLED);
LAYOUT_IS(bpfkv_range, more, RANGE_MORE);
LAYOUT_IS(bpfkv_range, error, RANGE_ERROR);
LAYOUT_IS(bpfkv_range, resume_key, RANGE_RESUME_KEY);
LAYOUT_IS(bpfkv_range, resume_leaf, RANGE_RESUME_LEAF);
LAYOUT_IS(bpfkv_range, prev_key, RANGE_PREV_KEY);
LAYOUT_IS(bpfkv_range, count, RANGE_COUNT);
LAYOUT_IS(bpfkv_range, sum, RANGE_SUM);
LAYOUT_IS(bpfkv_range, min, RANGE_MIN);
LAYOUT_IS(bpfkv_range, max, RANGE_MAX);
LAYOUT_IS(bpfkv_range, error_offset, RANGE_ERROR_OFFSET);
LAYOUT_IS(bpfkv_range, fill_from, RANGE_FILL_FROM);
LAYOUT_IS(bpfkv_range, lo, RANGE_LO);
LAYOUT_IS(bpfkv_range, hi, RANGE_HI);
LAYOUT_IS(bpfkv_range, entries, RANGE_ENTRIES);
LAYOUT_IS(bpfkv_range_pair, value_offset, PAIR_VALUE_OFFSET);
LAYOUT_IS(bpfkv_range_pair, value, PAIR_VALUE);
_Static_assert(sizeof(struct bpfkv_range_pair) == PAIR_SIZE, "pair size");
_Static_assert(sizeof(struct bpfkv_range) <= XRP_SCRATCH_SIZE, "range scratch fits the page");

#define U64_AT(base, off) (*(__u64 *)((base) + (off)))
#define U32_AT(base, off) (*(__u32 *)((base) + (off)))
#define U8_AT(base, off) (*(__u8 *)((base) + (off)))

/* What a hop knows about the file, from the scratch's tree parameters. */
struct tree {
	__u64 value_log;
	__u64 file_size;
	__u64 leaves;
	__u32 layers;
	__u32 flags;
};

/* Reads the tree parameters; non-zero when the host wrote none (or nonsense). */
static __always_inline int read_tree(const char *scratch, struct tree *t)
{
	t->value_log = U64_AT(scratch, PARAM_VALUE_LOG);
	t->file_size = U64_AT(scratch, PARAM_FILE_SIZE);
	t->leaves = U64_AT(scratch, PARAM_LEAVES);
	t->layers = U32_AT(scratch, PARAM_LAYERS);
	t->flags = U32_AT(scratch, PARAM_FLAGS);
	return t->layers < 1 || t->layers > MAX_LAYERS || t->leaves >= t->value_log;
}

/*
 * Level of the index node at offset (below the value log), or -1; on success [*below_start,
 * *below_end) is the byte range of the level below it. The index is packed breadth-first
 * (TreeLayout): the leaves are [leaves, value_log), each level above has ceil(below / 31) nodes and
 * ends where the one below starts, so the levels are found from the leaves up.
 */
static __force_inline int level_of_inline(__u64 offset, const struct tree *t, __u64 *below_start, __u64 *below_end)
{
	__u64 start = t->leaves;
	__u64 end = t->value_log;
	__u64 count = (t->value_log - t->leaves) / BLOCK_SIZE;
	__u64 lower_start = t->value_log;
	__u64 lower_end = t->value_log;

	for (int i = 0; i < MAX_LAYERS; i++) {
		if (i >= (int)t->layers)
			break;
		if (offset >= start && offset < end) {
			*below_start = lower_start;
			*below_end = lower_end;
			return (int)t->layers - 1 - i;
		}
		lower_start = start;
		lower_end = end;
		count = (count + FANOUT - 1) / FANOUT;
		if (count * BLOCK_SIZE > start)
			break; /* parameters that describe no packed index */
		end = start;
		start -= count * BLOCK_SIZE;
	}
	return -1;
}

/* level_of for multi_get and range: clang decides, as for every __always_inline here (see __force_inline) */
static __always_inline int level_of(__u64 offset, const struct tree *t, __u64 *below_start, __u64 *below_end)
{
	return level_of_inline(offset, t, below_start, below_end);
}

/* A child pointer: bit 63, 512-aligned, inside the level below. */
static __always_inline int child_pointer_ok(__u64 pointer, __u64 below_start, __u64 below_end)
{
	__u64 offset = pointer & ~FILE_OFFSET_BIT;

	return (pointer & FILE_OFFSET_BIT) && (offset & BLOCK_MASK) == 0 && offset >= below_start &&
	       offset < below_end;
}

/* A leaf's value pointer: bit 63, inside the value log, on a 64-byte value boundary. */
static __always_inline int value_pointer_ok(__u64 pointer, const struct tree *t)
{
	__u64 offset = pointer & ~FILE_OFFSET_BIT;

	return (pointer & FILE_OFFSET_BIT) && offset >= t->value_log && t->file_size >= VALUE_SIZE &&
	       offset <= t->file_size - VALUE_SIZE && ((offset - t->value_log) & (VALUE_SIZE - 1)) == 0;
}

/*
 * The value pointer of key in a leaf: value_pointer_ok and, where the layout fixes it, the key's own
 * slot (TreeFunction.valuePointerOk(pointer, key)).
 */
static __force_inline int value_pointer_of_key_ok_inline(__u64 pointer, __u64 key, const struct tree *t)
{
	return value_pointer_ok(pointer, t) &&
	       (!(t->flags & FLAG_FIXED_SLOTS) || (pointer & ~FILE_OFFSET_BIT) == t->value_log + key * VALUE_SIZE);
}

static __always_inline int value_pointer_of_key_ok(__u64 pointer, __u64 key, const struct tree *t)
{
	return value_pointer_of_key_ok_inline(pointer, key, t);
}

/*
 * A node's keys (NodeDescriptor.firstBadKey, TreeFunction.keysCode): used slots first, strictly
 * ascending, each in [lo, hi) (hi 0: no upper bound), then only EMPTY_KEY; an internal node uses
 * one at least. 0, E_KEY_ORDER, or E_SEPARATOR for a key in order but outside the parent's bounds.
 */
static __always_inline int check_keys(const __u64 *node, __u64 lo, __u64 hi, int internal)
{
	__u64 previous = 0;
	int used = 0;

	for (int k = 0; k < FANOUT; k++) {
		__u64 key = node[NODE_KEY(k)];
		if (key == EMPTY_KEY)
			continue;
		if (used != k || (used > 0 && key <= previous))
			return E_KEY_ORDER;
		if (key < lo || (hi != 0 && key >= hi))
			return E_SEPARATOR;
		previous = key;
		used++;
	}
	return internal && used == 0 ? E_KEY_ORDER : 0;
}

/*
 * A point lookup's checks and search on a node (TreeFunction.scanNode, the same steps):
 * -E_KEY_ORDER or -E_SEPARATOR for a bad node (the code check_keys gives); else, internal,
 * child_index(node, key) and, leaf, the key's slot (NodeDescriptor.leafIndexOf) or FANOUT when
 * absent. Less work per key than check_keys then the search: the used keys are checked in one run
 * that stops at the first empty slot (only the first can fall below lo), the rest must be empty, and
 * the search stops at the first used key not below the key; only a search for EMPTY_KEY meets an
 * empty slot (its first).
 */
static __always_inline int scan_node(const __u64 *node, __u64 lo, __u64 hi, __u64 key, int internal)
{
	__u64 bound = hi ? hi : EMPTY_KEY; /* no used key is EMPTY_KEY: "no bound" */
	__u64 previous = node[NODE_KEY(0)];
	int used = 0;

	/* the used keys: ascending, inside [lo, bound); then only empty slots */
	if (previous != EMPTY_KEY) {
		if (previous < lo || previous >= bound)
			return -E_SEPARATOR;
		/*
		 * Unrolled: as a loop clang's BPF back end spends about 15 instructions per key on this
		 * (loop control, error codes kept in r0), unrolled about 5, and the runtimes pay per
		 * instruction (the interpreter) or per block (the JIT's budget).
		 */
#pragma clang loop unroll(full)
		for (used = 1; used < FANOUT; used++) {
			__u64 k = node[NODE_KEY(used)];
			if (k == EMPTY_KEY)
				break;
			if (k <= previous)
				return -E_KEY_ORDER;
			if (k >= bound) /* k > previous >= lo: only the upper bound can fail */
				return -E_SEPARATOR;
			previous = k;
		}
	}
	for (int k = used; k < FANOUT; k++) {
		if (node[NODE_KEY(k)] != EMPTY_KEY)
			return -E_KEY_ORDER; /* a used key after an empty slot */
	}
	if (internal && used == 0)
		return -E_KEY_ORDER;
	if (key == EMPTY_KEY && used < FANOUT)
		return internal ? FANOUT - 1 : used;
	/* the key's place among the used keys, which ascend: stop at the first one past it */
	for (int k = internal ? 1 : 0; k < used; k++) {
		__u64 at = node[NODE_KEY(k)];
		if (at >= key) {
			if (internal)
				return at > key ? k - 1 : k;
			return at == key ? k : FANOUT;
		}
	}
	return internal ? used - 1 : FANOUT;
}

/* Bounds of child k's keys from its parent's: [key[k] (child 0: lo), key[k+1] (last used child: hi)). */
static __always_inline __u64 child_lo(const __u64 *node, int k, __u64 lo)
{
	return k == 0 ? lo : node[NODE_KEY(k)];
}

static __always_inline __u64 child_hi(const __u64 *node, int k, __u64 hi)
{
	if (k + 1 < FANOUT) {
		__u64 next = node[NODE_KEY(k + 1)];
		if (next != EMPTY_KEY)
			return next;
	}
	return hi;
}

/* A leaf's next word: 0, or a later leaf. */
static __always_inline int next_leaf_ok(__u64 next, __u64 current, const struct tree *t)
{
	return next == 0 ||
	       ((next & BLOCK_MASK) == 0 && next > current && next >= t->leaves && next < t->value_log);
}

/* The original's child choice: the last k with key[k] <= key (keys compare unsigned). */
static __always_inline int child_index(const __u64 *node, __u64 key)
{
	for (int k = 1; k < FANOUT; k++) {
		if (node[NODE_KEY(k)] > key)
			return k - 1;
	}
	return FANOUT - 1;
}

static __always_inline void copy_value(char *to, const char *from)
{
	for (int i = 0; i < VALUE_SIZE; i += 8)
		*(__u64 *)(to + i) = *(const __u64 *)(from + i);
}

static __always_inline void read_next(struct bpf_xrp *ctx, __u32 slot, __u64 offset)
{
	ctx->next_addr[slot] = offset;
	ctx->size[slot] = BLOCK_SIZE;
}

/*
 * A value's decimal text (leading spaces, digits, then NUL or the end of the 64 bytes), or -1 when
 * it is not a non-negative decimal number that fits a signed 64-bit integer
 * (NodeDescriptor.parseValue).
 */
static __always_inline __s64 parse_value(const __u8 *text)
{
	__u64 value = 0;
	int i = 0;

	/* the leading spaces a word at a time (text is 64-byte aligned in its block), then bytes */
	for (; i < VALUE_SIZE; i += 8) {
		if (*(const __u64 *)(text + i) != 0x2020202020202020ULL)
			break;
	}
	for (; i < VALUE_SIZE; i++) {
		if (text[i] != ' ')
			break;
	}
	int first_digit = i;
	for (; i < VALUE_SIZE; i++) {
		__u8 b = text[i];
		if (b == 0)
			break;
		__u8 digit = b - '0';
		if (digit > 9 || value > (__u64)(INT64_MAX_ - 9) / 10)
			return -1;
		value = value * 10 + digit;
	}
	return i == first_digit ? -1 : (__s64)value;
}

/* ================================ point lookup ================================ */

static __always_inline int get_fail(char *scratch, int code)
{
	U64_AT(scratch, GET_ERROR) = code;
	return code;
}

SEC("xrp/get")
int bpfkv_get(struct bpf_xrp *ctx)
{
	char *scratch = ctx->scratch;
	const __u64 *node = (const __u64 *)ctx->data;
	__u64 current = ctx->cur_addr;
	struct tree t;

	if (read_tree(scratch, &t))
		return get_fail(scratch, E_STATE);
	if (current >= t.value_log) {
		__u64 value_offset = U64_AT(scratch, GET_VALUE_OFFSET);
		__s64 delta = (__s64)(value_offset - current);
		if (value_offset == 0 || delta < 0 || delta > (__s64)(BLOCK_SIZE - VALUE_SIZE))
			return get_fail(scratch, E_UNEXPECTED_BLOCK);
		copy_value(scratch + GET_VALUE, ctx->data + delta);
		U64_AT(scratch, GET_FOUND) = 1;
		ctx->done = 1;
		return 0;
	}
	__u64 below_start = 0, below_end = 0;
	int level = level_of_inline(current, &t, &below_start, &below_end);
	if (level < 0)
		return get_fail(scratch, E_UNEXPECTED_BLOCK);
	__u64 key = U64_AT(scratch, GET_KEY);
	__u64 type = node[NODE_TYPE];
	__u64 lo = U64_AT(scratch, GET_LO);
	__u64 hi = U64_AT(scratch, GET_HI);
	if (level < (int)t.layers - 1) {
		if (type != TYPE_INTERNAL)
			return get_fail(scratch, E_NODE_TYPE);
		int child = scan_node(node, lo, hi, key, 1);
		if (child < 0)
			return get_fail(scratch, -child);
		__u64 pointer = node[NODE_PTR(child)];
		if (!child_pointer_ok(pointer, below_start, below_end))
			return get_fail(scratch, E_CHILD_POINTER);
		U64_AT(scratch, GET_LO) = child_lo(node, child, lo);
		U64_AT(scratch, GET_HI) = child_hi(node, child, hi);
		read_next(ctx, 0, pointer & ~FILE_OFFSET_BIT);
		return 0;
	}
	if (type != TYPE_LEAF)
		return get_fail(scratch, E_NODE_TYPE);
	int index = scan_node(node, lo, hi, key, 0);
	if (index < 0)
		return get_fail(scratch, -index);
	if (index == FANOUT) {
		ctx->done = 1; /* not found: found stays 0 */
		return 0;
	}
	__u64 pointer = node[NODE_PTR(index)];
	if (!value_pointer_of_key_ok_inline(pointer, key, &t))
		return get_fail(scratch, E_VALUE_POINTER);
	__u64 value_offset = pointer & ~FILE_OFFSET_BIT;
	U64_AT(scratch, GET_VALUE_OFFSET) = value_offset;
	read_next(ctx, 0, value_offset & ~BLOCK_MASK);
	return 0;
}

/* ============================ scatter-gather lookup ============================ */

static __always_inline int multi_fail(char *scratch, int code, __u64 offset)
{
	U32_AT(scratch, MULTI_ERROR) = code;
	U64_AT(scratch, MULTI_ERROR_OFFSET) = offset;
	return code;
}

/* Records a key's result and starts the next queued key on the same branch. */
static __always_inline int multi_resolve(struct bpf_xrp *ctx, char *scratch, __u32 slot, __u32 key_index, __u8 status)
{
	U8_AT(scratch, MULTI_STATUS + key_index) = status;
	__u32 resolved = U32_AT(scratch, MULTI_RESOLVED) + 1;
	U32_AT(scratch, MULTI_RESOLVED) = resolved;
	__u32 count = U32_AT(scratch, MULTI_COUNT); /* <= 32, checked on entry */
	__u32 next = U32_AT(scratch, MULTI_NEXT_KEY);

	for (int i = 0; i < MULTI_MAX_KEYS; i++) {
		if (next >= count || U8_AT(scratch, MULTI_STATUS + next) == STATUS_PENDING)
			break;
		next++;
	}
	if (next < count) {
		U8_AT(scratch, MULTI_SLOT_KEY + slot) = next;
		U32_AT(scratch, MULTI_NEXT_KEY) = next + 1;
		read_next(ctx, slot, U64_AT(scratch, MULTI_START + next * 8));
	} else {
		U32_AT(scratch, MULTI_NEXT_KEY) = next;
		if (resolved == count)
			ctx->done = 1;
	}
	return 0;
}

SEC("xrp/multi_get")
int bpfkv_multi_get(struct bpf_xrp *ctx)
{
	char *scratch = ctx->scratch;
	const __u64 *node = (const __u64 *)ctx->data;
	__u64 current = ctx->cur_addr;
	__u32 slot = ctx->slot;
	struct tree t;

	if (read_tree(scratch, &t) || slot >= MULTI_MAX_BRANCHES)
		return multi_fail(scratch, E_STATE, current);
	__u32 key_index = U8_AT(scratch, MULTI_SLOT_KEY + slot);
	__u32 count = U32_AT(scratch, MULTI_COUNT);
	if (count > MULTI_MAX_KEYS || key_index >= count ||
	    U8_AT(scratch, MULTI_STATUS + key_index) != STATUS_PENDING)
		return multi_fail(scratch, E_STATE, current);
	if (current >= t.value_log) {
		__u64 value_offset = U64_AT(scratch, MULTI_VALUE_OFFSET + key_index * 8);
		__s64 delta = (__s64)(value_offset - current);
		if (value_offset == 0 || delta < 0 || delta > (__s64)(BLOCK_SIZE - VALUE_SIZE))
			return multi_fail(scratch, E_UNEXPECTED_BLOCK, current);
		copy_value(scratch + MULTI_VALUES + key_index * VALUE_SIZE, ctx->data + delta);
		return multi_resolve(ctx, scratch, slot, key_index, STATUS_FOUND);
	}
	__u64 below_start = 0, below_end = 0;
	int level = level_of(current, &t, &below_start, &below_end);
	if (level < 0)
		return multi_fail(scratch, E_UNEXPECTED_BLOCK, current);
	__u64 key = U64_AT(scratch, MULTI_KEYS + key_index * 8);
	__u64 type = node[NODE_TYPE];
	__u64 lo = U64_AT(scratch, MULTI_LO + key_index * 8);
	__u64 hi = U64_AT(scratch, MULTI_HI + key_index * 8);
	if (level < (int)t.layers - 1) {
		if (type != TYPE_INTERNAL)
			return multi_fail(scratch, E_NODE_TYPE, current);
		int child = scan_node(node, lo, hi, key, 1);
		if (child < 0)
			return multi_fail(scratch, -child, current);
		__u64 pointer = node[NODE_PTR(child)];
		if (!child_pointer_ok(pointer, below_start, below_end))
			return multi_fail(scratch, E_CHILD_POINTER, current);
		U64_AT(scratch, MULTI_LO + key_index * 8) = child_lo(node, child, lo);
		U64_AT(scratch, MULTI_HI + key_index * 8) = child_hi(node, child, hi);
		read_next(ctx, slot, pointer & ~FILE_OFFSET_BIT);
		return 0;
	}
	if (type != TYPE_LEAF)
		return multi_fail(scratch, E_NODE_TYPE, current);
	int index = scan_node(node, lo, hi, key, 0);
	if (index < 0)
		return multi_fail(scratch, -index, current);
	if (index == FANOUT)
		return multi_resolve(ctx, scratch, slot, key_index, STATUS_NOT_FOUND);
	__u64 pointer = node[NODE_PTR(index)];
	if (!value_pointer_of_key_ok(pointer, key, &t))
		return multi_fail(scratch, E_VALUE_POINTER, current);
	__u64 value_offset = pointer & ~FILE_OFFSET_BIT;
	U64_AT(scratch, MULTI_VALUE_OFFSET + key_index * 8) = value_offset;
	read_next(ctx, slot, value_offset & ~BLOCK_MASK);
	return 0;
}

/* ========================== range scan and aggregation ========================== */

static __always_inline int range_fail(char *scratch, int code, __u64 offset)
{
	U32_AT(scratch, RANGE_ERROR) = code;
	U64_AT(scratch, RANGE_ERROR_OFFSET) = offset;
	return code;
}

static __always_inline __u32 range_max_entries(__u32 mode)
{
	return mode == MODE_PAIRS ? MAX_PAIRS : MAX_AGGREGATE_ENTRIES;
}

/* Offset in the scratch of entry i's value offset (0 once its value block was consumed). */
static __always_inline __u32 range_entry_value_offset(__u32 mode, __u32 i)
{
	return mode == MODE_PAIRS ? RANGE_ENTRIES + i * PAIR_SIZE + PAIR_VALUE_OFFSET
				  : RANGE_ENTRIES + i * AGGREGATE_ENTRY_SIZE;
}

/* A leaf: take its keys in range as entries, read their value blocks and the next leaf in parallel. */
static __always_inline int range_leaf(struct bpf_xrp *ctx, const __u64 *node, char *scratch, __u64 leaf,
				      const struct tree *t)
{
	__u64 next = node[NODE_NEXT];
	if (!next_leaf_ok(next, leaf, t))
		return range_fail(scratch, E_NEXT_POINTER, leaf);
	__u32 mode = U32_AT(scratch, RANGE_MODE);
	__u32 capacity = U32_AT(scratch, RANGE_CAPACITY);
	__u64 first = U64_AT(scratch, RANGE_FIRST);
	__u64 last = U64_AT(scratch, RANGE_LAST);
	__u32 assigned = U32_AT(scratch, RANGE_ASSIGNED);
	__u64 previous_plus_one = U64_AT(scratch, RANGE_PREV_KEY);
	__u32 blocks = 0;
	__u64 last_block = ~0ULL;
	int stopped = 0;

	if (capacity > range_max_entries(mode) || assigned > capacity)
		return range_fail(scratch, E_STATE, leaf); /* the host never asks for more than fits */
	for (int k = 0; k < FANOUT; k++) {
		__u64 key = node[NODE_KEY(k)];
		if (key == EMPTY_KEY)
			break; /* the leaf's used keys end here (checked: only empty slots follow) */
		if (previous_plus_one != 0 && key < previous_plus_one)
			return range_fail(scratch, E_KEY_ORDER, leaf);
		previous_plus_one = key + 1;
		if (key < first)
			continue;
		if (key > last) {
			stopped = 1; /* the range ends in this leaf */
			break;
		}
		__u64 pointer = node[NODE_PTR(k)];
		if (!value_pointer_of_key_ok(pointer, key, t))
			return range_fail(scratch, E_VALUE_POINTER, leaf);
		__u64 value_offset = pointer & ~FILE_OFFSET_BIT;
		__u64 block = value_offset & ~BLOCK_MASK;
		int new_block = block != last_block;
		if (assigned == capacity || (new_block && blocks == MAX_VALUE_SLOTS)) {
			U32_AT(scratch, RANGE_MORE) = 1;
			U64_AT(scratch, RANGE_RESUME_KEY) = key;
			U64_AT(scratch, RANGE_RESUME_LEAF) = leaf;
			stopped = 1;
			break;
		}
		if (new_block) {
			blocks++;
			read_next(ctx, blocks, block);
			last_block = block;
		}
		if (mode == MODE_PAIRS) {
			__u32 entry = RANGE_ENTRIES + assigned * PAIR_SIZE;
			U64_AT(scratch, entry + PAIR_KEY) = key;
			U64_AT(scratch, entry + PAIR_VALUE_OFFSET) = value_offset;
		} else {
			U64_AT(scratch, RANGE_ENTRIES + assigned * AGGREGATE_ENTRY_SIZE) = value_offset;
		}
		assigned++;
	}
	U32_AT(scratch, RANGE_ASSIGNED) = assigned;
	U64_AT(scratch, RANGE_PREV_KEY) = previous_plus_one;
	if (!stopped && next != 0) {
		/* the next leaf is reached through the list, not from a parent: no separators bound it */
		U64_AT(scratch, RANGE_LO) = 0;
		U64_AT(scratch, RANGE_HI) = 0;
		read_next(ctx, 0, next);
	}
	return 0;
}

/* A value block: fill (or fold in) every pending entry whose value lies in it. */
static __always_inline int range_value_block(const char *data, char *scratch, __u64 block)
{
	if (block & BLOCK_MASK)
		return range_fail(scratch, E_UNEXPECTED_BLOCK, block);
	__u32 mode = U32_AT(scratch, RANGE_MODE);
	__u32 assigned = U32_AT(scratch, RANGE_ASSIGNED);
	__u32 fill_from = U32_AT(scratch, RANGE_FILL_FROM);
	__u32 filled = U32_AT(scratch, RANGE_FILLED);

	if (assigned > range_max_entries(mode))
		return range_fail(scratch, E_STATE, block);
	for (__u32 i = fill_from; i < assigned; i++) {
		__u32 entry = range_entry_value_offset(mode, i);
		__u64 value_offset = U64_AT(scratch, entry);
		if (value_offset == 0 || (value_offset & ~BLOCK_MASK) != block)
			continue;
		__u64 delta = value_offset - block;
		if (mode == MODE_PAIRS) {
			copy_value(scratch + RANGE_ENTRIES + i * PAIR_SIZE + PAIR_VALUE, data + delta);
		} else {
			__s64 value = parse_value((const __u8 *)data + delta);
			if (value < 0)
				return range_fail(scratch, E_VALUE_TEXT, value_offset);
			__s64 count = (__s64)U64_AT(scratch, RANGE_COUNT);
			__s64 sum = (__s64)U64_AT(scratch, RANGE_SUM);
			if (sum > INT64_MAX_ - value)
				return range_fail(scratch, E_VALUE_TEXT, value_offset); /* the pread path reports the overflow */
			__s64 min = (__s64)U64_AT(scratch, RANGE_MIN);
			__s64 max = (__s64)U64_AT(scratch, RANGE_MAX);
			U64_AT(scratch, RANGE_SUM) = sum + value;
			U64_AT(scratch, RANGE_MIN) = count == 0 || value < min ? value : min;
			U64_AT(scratch, RANGE_MAX) = count == 0 || value > max ? value : max;
			U64_AT(scratch, RANGE_COUNT) = count + 1;
		}
		U64_AT(scratch, entry) = 0;
		filled++;
	}
	U32_AT(scratch, RANGE_FILLED) = filled;
	while (fill_from < assigned && U64_AT(scratch, range_entry_value_offset(mode, fill_from)) == 0)
		fill_from++;
	U32_AT(scratch, RANGE_FILL_FROM) = fill_from;
	return 0;
}

SEC("xrp/range")
int bpfkv_range(struct bpf_xrp *ctx)
{
	char *scratch = ctx->scratch;
	const __u64 *node = (const __u64 *)ctx->data;
	__u64 current = ctx->cur_addr;
	struct tree t;

	if (read_tree(scratch, &t))
		return range_fail(scratch, E_STATE, current);
	if (current >= t.value_log)
		return range_value_block(ctx->data, scratch, current);
	__u64 below_start = 0, below_end = 0;
	int level = level_of(current, &t, &below_start, &below_end);
	if (level < 0)
		return range_fail(scratch, E_UNEXPECTED_BLOCK, current);
	__u64 type = node[NODE_TYPE];
	__u64 lo = U64_AT(scratch, RANGE_LO);
	__u64 hi = U64_AT(scratch, RANGE_HI);
	int keys;
	if (level < (int)t.layers - 1) {
		if (type != TYPE_INTERNAL)
			return range_fail(scratch, E_NODE_TYPE, current);
		keys = check_keys(node, lo, hi, 1);
		if (keys)
			return range_fail(scratch, keys, current);
		int child = child_index(node, U64_AT(scratch, RANGE_FIRST));
		__u64 pointer = node[NODE_PTR(child)];
		if (!child_pointer_ok(pointer, below_start, below_end))
			return range_fail(scratch, E_CHILD_POINTER, current);
		U64_AT(scratch, RANGE_LO) = child_lo(node, child, lo);
		U64_AT(scratch, RANGE_HI) = child_hi(node, child, hi);
		read_next(ctx, 0, pointer & ~FILE_OFFSET_BIT);
		return 0;
	}
	if (type != TYPE_LEAF)
		return range_fail(scratch, E_NODE_TYPE, current);
	keys = check_keys(node, lo, hi, 0);
	if (keys)
		return range_fail(scratch, keys, current);
	return range_leaf(ctx, node, scratch, current, &t);
}
