/*
 * Queue pair over SPDK's NVMe driver, with the io_uring shim's contract (jxrp.h): a DMA buffer
 * slab, namespaces attached and detached dynamically (handles), one call per batch that submits
 * 32-byte descriptors and reaps 16-byte completions. It polls: no interrupts, never a sleep in
 * the kernel. One SPDK I/O qpair per controller in use, allocated on the first attach.
 *
 * A failed controller (target killed, connection lost) turns the I/O in flight on it into -EIO
 * completions and every later descriptor for it into -ENXIO: its qpair is freed at once (which
 * aborts what SPDK still holds) and anything SPDK did not call back for is completed here. A
 * target that stops answering is treated the same once an I/O is older than the I/O timeout.
 *
 * Threading: one owner thread creates, attaches, detaches, submits and closes (SPDK qpairs are
 * single-threaded: two threads on one corrupt its TCP state); jxrp_spdk_qp_wakeup from any thread.
 */
#include "jxrp_spdk.h"

#include <stdlib.h>
#include <string.h>

/* Most namespaces attached to one queue pair at once. */
#define JXRP_SPDK_MAX_TARGETS 4096
#define JXRP_SPDK_NO_IO (-1)

/* This queue pair's I/O qpair on one controller. */
struct jxrp_spdk_ioq {
    struct jxrp_spdk_ctrlr *ctrlr;
    struct spdk_nvme_qpair *qpair; /* NULL once it failed and was freed */
    uint32_t users;                /* attached namespaces using it */
    uint32_t inflight;
};

/* An attached namespace (a handle); free when ioq is NULL. */
struct jxrp_spdk_target {
    struct jxrp_spdk_ioq *ioq;
    struct spdk_nvme_ns *ns;
    uint64_t sector_count;
    uint32_t sector_size;
    uint32_t inflight;
};

/* One request slot; depth of them. */
struct jxrp_spdk_io {
    struct jxrp_spdk_qp *qp;
    struct jxrp_spdk_ioq *ioq; /* non-NULL while SPDK holds the command */
    int64_t started_nanos;
    uint64_t tag;
    uint32_t length;
    uint32_t handle;
    int32_t next_free;
};

struct jxrp_spdk_qp {
    uint32_t depth;
    uint32_t buffer_count;
    uint32_t buffer_size;
    uint8_t *slab;
    struct jxrp_spdk_io *ios;
    int32_t free_head;
    uint32_t outstanding; /* slots taken: in flight, or completed and not yet delivered */
    struct jxrp_completion *done; /* ring of depth completions not yet delivered */
    uint32_t done_head;
    uint32_t done_count;
    struct jxrp_spdk_ioq **ioqs;
    uint32_t ioq_count;
    struct jxrp_spdk_target *targets;
    uint32_t target_cap;
    int wake; /* set by jxrp_spdk_qp_wakeup from any thread, consumed by the owner */
    int64_t io_timeout_nanos; /* an I/O older than this fails its qpair; 0 = never */
    int64_t next_timeout_check;
};

/* How often the poll loop looks for I/O older than the timeout. */
#define JXRP_SPDK_TIMEOUT_CHECK_NANOS 1000000LL

static struct jxrp_spdk_qp *qp_of(int64_t handle)
{
    return (struct jxrp_spdk_qp *)(uintptr_t)handle;
}

/* -errno for an NVMe completion status. */
static int32_t status_errno(const struct spdk_nvme_cpl *cpl)
{
    switch (cpl->status.sct) {
    case SPDK_NVME_SCT_GENERIC:
        switch (cpl->status.sc) {
        case SPDK_NVME_SC_INVALID_OPCODE:
        case SPDK_NVME_SC_INVALID_FIELD:
        case SPDK_NVME_SC_LBA_OUT_OF_RANGE:
            return -EINVAL;
        case SPDK_NVME_SC_CAPACITY_EXCEEDED:
            return -ENOSPC;
        default:
            return -EIO; /* aborted (queue deleted, target gone), internal device error, ... */
        }
    case SPDK_NVME_SCT_COMMAND_SPECIFIC:
        return cpl->status.sc == SPDK_NVME_SC_ATTEMPTED_WRITE_TO_RO_RANGE ? -EROFS : -EIO;
    case SPDK_NVME_SCT_PATH:
        return -ENXIO;
    default:
        return -EIO; /* media errors and the rest */
    }
}

static void push_done(struct jxrp_spdk_qp *qp, struct jxrp_spdk_io *io, int32_t result)
{
    uint32_t at = (qp->done_head + qp->done_count) % qp->depth;
    qp->done[at].tag = io->tag;
    qp->done[at].result = result;
    qp->done[at].pad = 0;
    qp->done_count++;
    io->ioq = NULL;
    io->next_free = qp->free_head;
    qp->free_head = (int32_t)(io - qp->ios);
}

static void io_done(void *arg, const struct spdk_nvme_cpl *cpl)
{
    struct jxrp_spdk_io *io = arg;
    struct jxrp_spdk_qp *qp = io->qp;
    io->ioq->inflight--;
    qp->targets[io->handle].inflight--;
    push_done(qp, io, spdk_nvme_cpl_is_error(cpl) ? status_errno(cpl) : (int32_t)io->length);
}

/*
 * The controller under ioq failed (or stopped answering): free its qpair (SPDK aborts what it
 * holds, calling io_done with an abort status) and complete with `result` whatever it did not
 * call back for.
 */
static void fail_ioq_with(struct jxrp_spdk_qp *qp, struct jxrp_spdk_ioq *ioq, int32_t result)
{
    if (ioq->qpair == NULL) {
        return;
    }
    spdk_nvme_ctrlr_free_io_qpair(ioq->qpair);
    ioq->qpair = NULL;
    for (uint32_t i = 0; i < qp->depth && ioq->inflight > 0; i++) {
        struct jxrp_spdk_io *io = &qp->ios[i];
        if (io->ioq == ioq) {
            ioq->inflight--;
            qp->targets[io->handle].inflight--;
            push_done(qp, io, result);
        }
    }
}

static void fail_ioq(struct jxrp_spdk_qp *qp, struct jxrp_spdk_ioq *ioq)
{
    fail_ioq_with(qp, ioq, -EIO);
}

/*
 * A target that stops answering without closing the connection (stopped, partitioned) would keep
 * I/O in flight forever: an I/O older than the timeout fails its qpair, completing what was in
 * flight there with -ETIMEDOUT (what SPDK aborts itself completes with -EIO) and later I/O on that
 * controller with -ENXIO.
 */
static void check_timeouts(struct jxrp_spdk_qp *qp, int64_t now)
{
    qp->next_timeout_check = now + JXRP_SPDK_TIMEOUT_CHECK_NANOS;
    for (uint32_t i = 0; i < qp->depth; i++) {
        struct jxrp_spdk_io *io = &qp->ios[i];
        if (io->ioq != NULL && now - io->started_nanos > qp->io_timeout_nanos) {
            fail_ioq_with(qp, io->ioq, -ETIMEDOUT);
        }
    }
}

/*
 * Creates a queue pair of depth request slots and a slab of buffer_count x buffer_size bytes of
 * DMA memory (spdk_zmalloc; see jxrp_spdk_qp_slab). Returns its handle (> 0) or -errno: -ENODEV
 * without an environment, -ENOMEM when the environment's memory is too small for the slab.
 */
JXRP_EXPORT int64_t jxrp_spdk_qp_create(int32_t depth, int32_t buffer_count, int32_t buffer_size)
{
    int state = jxrp_spdk_env_state();
    if (state < 0) {
        return state;
    }
    if (depth < 1 || depth > 65536 || buffer_count < 1 || buffer_size < 512 || buffer_size % 512 != 0) {
        return -EINVAL;
    }
    struct jxrp_spdk_qp *qp = calloc(1, sizeof(*qp));
    if (qp == NULL) {
        return -ENOMEM;
    }
    qp->depth = (uint32_t)depth;
    qp->buffer_count = (uint32_t)buffer_count;
    qp->buffer_size = (uint32_t)buffer_size;
    qp->ios = calloc((size_t)depth, sizeof(*qp->ios));
    qp->done = calloc((size_t)depth, sizeof(*qp->done));
    qp->slab = spdk_zmalloc((size_t)buffer_count * (size_t)buffer_size, 4096, NULL, SPDK_ENV_NUMA_ID_ANY,
                            SPDK_MALLOC_DMA);
    if (qp->ios == NULL || qp->done == NULL || qp->slab == NULL) {
        spdk_free(qp->slab);
        free(qp->done);
        free(qp->ios);
        free(qp);
        return -ENOMEM;
    }
    for (int32_t i = 0; i < depth; i++) {
        qp->ios[i].qp = qp;
        qp->ios[i].next_free = i + 1 < depth ? i + 1 : JXRP_SPDK_NO_IO;
    }
    qp->free_head = 0;
    return (int64_t)(uintptr_t)qp;
}

/* Address of the queue pair's buffer slab (buffer_count x buffer_size bytes, 4 KiB-aligned). */
JXRP_EXPORT int64_t jxrp_spdk_qp_slab(int64_t handle)
{
    return (int64_t)(uintptr_t)qp_of(handle)->slab;
}

/*
 * Attaches namespace nsid of a connected controller: allocates this queue pair's I/O qpair on
 * that controller on first use. Returns the handle for descriptors' file field (>= 0) or -errno:
 * -ENOENT inactive namespace, -ENXIO failed controller, -EMFILE too many attached, -ENOMEM.
 */
JXRP_EXPORT int32_t jxrp_spdk_qp_attach(int64_t handle, int64_t ctrlr_handle, int32_t nsid)
{
    struct jxrp_spdk_qp *qp = qp_of(handle);
    struct jxrp_spdk_ctrlr *c = (struct jxrp_spdk_ctrlr *)(uintptr_t)ctrlr_handle;
    if (nsid < 1) {
        return -EINVAL;
    }
    if (__atomic_load_n(&c->failed, __ATOMIC_ACQUIRE)) {
        return -ENXIO;
    }
    struct spdk_nvme_ns *ns = spdk_nvme_ctrlr_get_ns(c->ctrlr, (uint32_t)nsid);
    if (ns == NULL || !spdk_nvme_ns_is_active(ns)) {
        return -ENOENT;
    }
    uint32_t slot = 0;
    while (slot < qp->target_cap && qp->targets[slot].ioq != NULL) {
        slot++;
    }
    if (slot == qp->target_cap) {
        if (qp->target_cap == JXRP_SPDK_MAX_TARGETS) {
            return -EMFILE;
        }
        uint32_t cap = qp->target_cap == 0 ? 8 : qp->target_cap * 2;
        struct jxrp_spdk_target *grown = realloc(qp->targets, cap * sizeof(*grown));
        if (grown == NULL) {
            return -ENOMEM;
        }
        memset(grown + qp->target_cap, 0, (cap - qp->target_cap) * sizeof(*grown));
        qp->targets = grown;
        qp->target_cap = cap;
    }

    struct jxrp_spdk_ioq *ioq = NULL;
    for (uint32_t i = 0; i < qp->ioq_count; i++) {
        if (qp->ioqs[i]->ctrlr == c) {
            ioq = qp->ioqs[i];
            break;
        }
    }
    if (ioq == NULL) {
        struct jxrp_spdk_ioq **grown = realloc(qp->ioqs, (qp->ioq_count + 1) * sizeof(*grown));
        if (grown == NULL) {
            return -ENOMEM;
        }
        qp->ioqs = grown;
        ioq = calloc(1, sizeof(*ioq));
        if (ioq == NULL) {
            return -ENOMEM;
        }
        struct spdk_nvme_io_qpair_opts opts;
        spdk_nvme_ctrlr_get_default_io_qpair_opts(c->ctrlr, &opts, sizeof(opts));
        /* Requests beyond the queue's entries wait inside SPDK instead of failing with -ENOMEM. */
        if (opts.io_queue_requests < 2 * qp->depth) {
            opts.io_queue_requests = 2 * qp->depth;
        }
        ioq->qpair = spdk_nvme_ctrlr_alloc_io_qpair(c->ctrlr, &opts, sizeof(opts));
        if (ioq->qpair == NULL) {
            free(ioq);
            return spdk_nvme_ctrlr_is_failed(c->ctrlr) ? -ENXIO : -ENOMEM;
        }
        ioq->ctrlr = c;
        jxrp_spdk_ctrlr_ref(c);
        qp->ioqs[qp->ioq_count++] = ioq;
    }
    ioq->users++;
    struct jxrp_spdk_target *t = &qp->targets[slot];
    t->ioq = ioq;
    t->ns = ns;
    t->sector_count = spdk_nvme_ns_get_num_sectors(ns);
    t->sector_size = spdk_nvme_ns_get_sector_size(ns);
    t->inflight = 0;
    return (int32_t)slot;
}

static void release_ioq(struct jxrp_spdk_qp *qp, struct jxrp_spdk_ioq *ioq)
{
    if (ioq->qpair != NULL) {
        spdk_nvme_ctrlr_free_io_qpair(ioq->qpair);
    }
    for (uint32_t i = 0; i < qp->ioq_count; i++) {
        if (qp->ioqs[i] == ioq) {
            qp->ioqs[i] = qp->ioqs[--qp->ioq_count];
            break;
        }
    }
    jxrp_spdk_ctrlr_unref(ioq->ctrlr);
    free(ioq);
}

/* Detaches a handle: 0, -EBADF unknown handle, -EBUSY while it has I/O in flight. */
JXRP_EXPORT int32_t jxrp_spdk_qp_detach(int64_t handle, int32_t target)
{
    struct jxrp_spdk_qp *qp = qp_of(handle);
    if (target < 0 || (uint32_t)target >= qp->target_cap || qp->targets[target].ioq == NULL) {
        return -EBADF;
    }
    struct jxrp_spdk_target *t = &qp->targets[target];
    if (t->inflight > 0) {
        return -EBUSY;
    }
    struct jxrp_spdk_ioq *ioq = t->ioq;
    memset(t, 0, sizeof(*t));
    if (--ioq->users == 0) {
        release_ioq(qp, ioq);
    }
    return 0;
}

/* Marks io as held by SPDK before the command is issued (SPDK may complete it inline). */
static void start_io(struct jxrp_spdk_io *io, struct jxrp_spdk_ioq *ioq, struct jxrp_spdk_target *t)
{
    io->started_nanos = jxrp_now_nanos();
    io->ioq = ioq;
    ioq->inflight++;
    t->inflight++;
}

/*
 * Starts one descriptor. Returns 1 when it took a request slot (in flight or completed at once),
 * 0 when SPDK is out of request objects (the descriptor stays staged).
 */
static int submit_one(struct jxrp_spdk_qp *qp, const struct jxrp_descriptor *d)
{
    struct jxrp_spdk_io *io = &qp->ios[qp->free_head];
    qp->free_head = io->next_free;
    qp->outstanding++;
    io->tag = d->tag;
    io->handle = d->file;
    io->length = d->length;

    if (d->file >= qp->target_cap || qp->targets[d->file].ioq == NULL) {
        push_done(qp, io, -EBADF);
        return 1;
    }
    struct jxrp_spdk_target *t = &qp->targets[d->file];
    struct jxrp_spdk_ioq *ioq = t->ioq;
    int rc;
    if (d->op == JXRP_OP_FLUSH) {
        io->length = 0;
        if (ioq->qpair == NULL) {
            push_done(qp, io, -ENXIO);
            return 1;
        }
        start_io(io, ioq, t);
        rc = spdk_nvme_ns_cmd_flush(t->ns, ioq->qpair, io_done, io);
    } else if (d->op == JXRP_OP_READ || d->op == JXRP_OP_WRITE) {
        uint64_t ss = t->sector_size;
        if (d->slot >= qp->buffer_count || d->length > qp->buffer_size || d->offset % ss != 0 || d->length % ss != 0) {
            push_done(qp, io, -EINVAL);
            return 1;
        }
        uint64_t lba = d->offset / ss;
        uint64_t lba_count = d->length / ss;
        /* Block-device semantics at the end: a read is short (0 at or past it), a write -ENOSPC. */
        if (lba + lba_count > t->sector_count) {
            if (d->op == JXRP_OP_WRITE) {
                push_done(qp, io, -ENOSPC);
                return 1;
            }
            lba_count = lba >= t->sector_count ? 0 : t->sector_count - lba;
            io->length = (uint32_t)(lba_count * ss);
        }
        if (lba_count == 0) {
            push_done(qp, io, 0);
            return 1;
        }
        if (ioq->qpair == NULL) {
            push_done(qp, io, -ENXIO);
            return 1;
        }
        void *buf = qp->slab + (size_t)d->slot * qp->buffer_size;
        start_io(io, ioq, t);
        if (d->op == JXRP_OP_READ) {
            rc = spdk_nvme_ns_cmd_read(t->ns, ioq->qpair, buf, lba, (uint32_t)lba_count, io_done, io, 0);
        } else {
            rc = spdk_nvme_ns_cmd_write(t->ns, ioq->qpair, buf, lba, (uint32_t)lba_count, io_done, io, 0);
        }
    } else {
        push_done(qp, io, -EINVAL);
        return 1;
    }
    if (rc == 0 || io->ioq == NULL) { /* in flight, or SPDK already called io_done inline */
        return 1;
    }
    io->ioq = NULL;
    ioq->inflight--;
    t->inflight--;
    if (rc == -ENOMEM) { /* no free request object in SPDK: give the slot back, retry later */
        io->next_free = qp->free_head;
        qp->free_head = (int32_t)(io - qp->ios);
        qp->outstanding--;
        return 0;
    }
    if (rc == -ENXIO) {
        fail_ioq(qp, ioq);
    }
    push_done(qp, io, rc < 0 ? rc : -EIO);
    return 1;
}

static uint32_t deliver(struct jxrp_spdk_qp *qp, struct jxrp_completion *out, uint32_t from, uint32_t cap)
{
    uint32_t n = from;
    while (n < cap && qp->done_count > 0) {
        out[n++] = qp->done[qp->done_head];
        qp->done_head = (qp->done_head + 1) % qp->depth;
        qp->done_count--;
        qp->outstanding--;
    }
    return n;
}

static void poll_ioqs(struct jxrp_spdk_qp *qp)
{
    for (uint32_t i = 0; i < qp->ioq_count; i++) {
        struct jxrp_spdk_ioq *ioq = qp->ioqs[i];
        if (ioq->qpair == NULL || ioq->inflight == 0) {
            continue;
        }
        if (spdk_nvme_qpair_process_completions(ioq->qpair, 0) < 0) {
            fail_ioq(qp, ioq);
        }
    }
}

/*
 * One call per batch: starts the n descriptors at desc_addr (as many as free request slots allow;
 * the rest stay the caller's), then polls until at least min_complete completions are reaped
 * (fewer when less is outstanding), a wake-up arrives, or timeout_ns passes (-1: no limit; 0 with
 * min_complete 0: one poll). Up to cap completions are written to comp_addr.
 * Returns (descriptors consumed << 32) | completions written, or -errno.
 */
JXRP_EXPORT int64_t jxrp_spdk_qp_submit_and_reap(int64_t handle, int64_t desc_addr, int32_t n, int64_t comp_addr,
                                                 int32_t cap, int32_t min_complete, int64_t timeout_ns)
{
    struct jxrp_spdk_qp *qp = qp_of(handle);
    const struct jxrp_descriptor *desc = (const struct jxrp_descriptor *)(uintptr_t)desc_addr;
    struct jxrp_completion *out = (struct jxrp_completion *)(uintptr_t)comp_addr;
    if (n < 0 || cap < 0) {
        return -EINVAL;
    }
    int32_t consumed = 0;
    while (consumed < n && qp->outstanding < qp->depth) {
        if (!submit_one(qp, &desc[consumed])) {
            break;
        }
        consumed++;
    }
    uint32_t reaped = deliver(qp, out, 0, (uint32_t)cap);
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : jxrp_now_nanos() + timeout_ns;
    for (;;) {
        poll_ioqs(qp);
        if (qp->io_timeout_nanos > 0 && qp->outstanding > qp->done_count) {
            int64_t now = jxrp_now_nanos();
            if (now >= qp->next_timeout_check) {
                check_timeouts(qp, now);
            }
        }
        reaped = deliver(qp, out, reaped, (uint32_t)cap);
        if (reaped >= (uint32_t)min_complete || reaped >= (uint32_t)cap || qp->outstanding == 0) {
            break;
        }
        if (__atomic_exchange_n(&qp->wake, 0, __ATOMIC_ACQ_REL)) {
            break;
        }
        if (jxrp_now_nanos() >= deadline) {
            break;
        }
    }
    return ((int64_t)consumed << 32) | reaped;
}

/* Sets how old an I/O may get before its qpair is failed (see check_timeouts); 0 = never. */
JXRP_EXPORT int32_t jxrp_spdk_qp_set_io_timeout(int64_t handle, int64_t timeout_ns)
{
    if (timeout_ns < 0) {
        return -EINVAL;
    }
    qp_of(handle)->io_timeout_nanos = timeout_ns;
    return 0;
}

/* Makes the owner's current (or next) jxrp_spdk_qp_submit_and_reap return promptly. Any thread. */
JXRP_EXPORT int32_t jxrp_spdk_qp_wakeup(int64_t handle)
{
    __atomic_store_n(&qp_of(handle)->wake, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Requests in flight on the queue pair (submitted, not yet completed). */
JXRP_EXPORT int32_t jxrp_spdk_qp_inflight(int64_t handle)
{
    struct jxrp_spdk_qp *qp = qp_of(handle);
    return (int32_t)(qp->outstanding - qp->done_count);
}

/*
 * Polls until nothing is in flight or drain_timeout_ns passes, then frees the I/O qpairs (SPDK
 * aborts what is left; nothing writes into the slab after that), drops the controller
 * references and frees the slab. Returns how many I/Os were still in flight and got aborted.
 */
JXRP_EXPORT int32_t jxrp_spdk_qp_close(int64_t handle, int64_t drain_timeout_ns)
{
    struct jxrp_spdk_qp *qp = qp_of(handle);
    int64_t deadline = jxrp_now_nanos() + (drain_timeout_ns < 0 ? 0 : drain_timeout_ns);
    int64_t now;
    while (qp->outstanding > qp->done_count && (now = jxrp_now_nanos()) < deadline) {
        poll_ioqs(qp);
        if (qp->io_timeout_nanos > 0 && now >= qp->next_timeout_check) {
            check_timeouts(qp, now);
        }
    }
    int32_t aborted = (int32_t)(qp->outstanding - qp->done_count);
    while (qp->ioq_count > 0) {
        struct jxrp_spdk_ioq *ioq = qp->ioqs[qp->ioq_count - 1];
        fail_ioq(qp, ioq);
        release_ioq(qp, ioq);
    }
    spdk_free(qp->slab);
    free(qp->targets);
    free(qp->ioqs);
    free(qp->done);
    free(qp->ios);
    free(qp);
    return aborted;
}
