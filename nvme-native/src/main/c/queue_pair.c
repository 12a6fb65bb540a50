/*
 * Queue pair over io_uring: a registered file table that files join and leave while it runs, a Java-owned buffer slab registered as fixed
 * buffers (or used for plain reads/writes when registration is refused), batched submit+reap,
 * and an eventfd-based wake-up for a reactor blocked in the wait. A queue pair created with
 * JXRP_QP_NVME_PASSTHRU has big SQEs/CQEs and also takes NVMe namespaces (their generic char
 * devices), read and written with NVMe commands through IORING_OP_URING_CMD.
 *
 * Threading: one thread at a time calls submit_and_reap/close for a given queue pair (the Java
 * side guarantees it); jxrp_qp_wakeup may be called from any thread concurrently.
 */
#include "jxrp.h"
#include "nvme_passthru.h"

#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* user_data values the shim uses for its own requests; Java refuses tags -4..-1. */
#define JXRP_TAG_LIBURING ((uint64_t)-1) /* liburing's internal timeout SQE (old kernels) */
#define JXRP_TAG_WAKE ((uint64_t)-2)
#define JXRP_TAG_CANCEL ((uint64_t)-3)

/* An attached NVMe namespace (passthrough queue pairs only; nsid 0 marks a plain file). */
struct jxrp_qp_nvme {
    uint32_t nsid;
    uint32_t lba_shift;
};

/* What the reap needs of an SQE on a passthrough ring, whose user_data is its index in this table. */
struct jxrp_qp_track {
    uint64_t tag;
    uint32_t length;
    uint32_t nvme; /* 1: an NVMe command, whose CQE carries an NVMe status */
};

struct jxrp_qp {
    struct io_uring ring;
    int *fds;          /* the registered file table, -1 where free; the queue pair owns the fds */
    struct jxrp_qp_nvme *nvme;   /* per table slot, passthrough queue pairs only (else NULL) */
    struct jxrp_qp_track *track; /* in-flight SQEs by user_data, passthrough queue pairs only */
    uint32_t *track_free;        /* stack of free track entries */
    uint32_t track_free_top;
    int nvme_fixed;    /* NVMe commands use the fixed buffers: 1, 0, or -1 before the first namespace */
    uint32_t max_files;
    uint32_t nfiles;   /* attached files */
    int event_fd;
    int poll_armed;
    int fixed_buffers; /* 1, or -errno of the failed io_uring_register_buffers */
    uint8_t *slab;
    uint32_t buffer_count;
    uint32_t buffer_size;
    uint64_t inflight; /* SQEs handed to the ring whose CQE has not been reaped yet */
};

int64_t jxrp_now_nanos(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

JXRP_EXPORT const char *jxrp_errno_name(int32_t err)
{
    const char *name = strerrorname_np(err);
    return name != NULL ? name : "E?";
}

JXRP_EXPORT const char *jxrp_errno_text(int32_t err)
{
    const char *text = strerrordesc_np(err);
    return text != NULL ? text : "unknown error";
}

JXRP_EXPORT int32_t jxrp_probe(void)
{
    struct io_uring ring;
    int rc = io_uring_queue_init(2, &ring, 0);
    if (rc < 0) {
        return rc;
    }
    /* Timed waits need IORING_ENTER_EXT_ARG (5.11); without it liburing would inject
       timeout SQEs into our ring. */
    int has_ext_arg = (ring.features & IORING_FEAT_EXT_ARG) != 0;
    io_uring_queue_exit(&ring);
    return has_ext_arg ? 0 : -ENOSYS;
}

JXRP_EXPORT int32_t jxrp_open_direct(const char *path, int32_t writable)
{
    int flags = (writable ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC;
    return (int32_t)JXRP_RETRY_ERRNO(open(path, flags));
}

/* Opens an NVMe generic char device for jxrp_qp_attach(JXRP_KIND_NVME); char devices refuse O_DIRECT. */
JXRP_EXPORT int32_t jxrp_open_nvme(const char *path, int32_t writable)
{
    int flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    return (int32_t)JXRP_RETRY_ERRNO(open(path, flags));
}

JXRP_EXPORT int32_t jxrp_close_fd(int32_t fd)
{
    /* close() is not retried on EINTR: on Linux the descriptor is released regardless. */
    return close(fd) == 0 ? 0 : -errno;
}

static void arm_wake_poll(struct jxrp_qp *qp)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&qp->ring);
    if (sqe == NULL) {
        return; /* SQ full: armed on the next call */
    }
    io_uring_prep_poll_multishot(sqe, qp->event_fd, POLLIN);
    io_uring_sqe_set_data64(sqe, JXRP_TAG_WAKE);
    qp->poll_armed = 1;
}

/*
 * A ring of `depth` entries with an empty registered file table of `max_files` slots (files come and
 * go with jxrp_qp_attach/jxrp_qp_detach while I/O runs) and the Java-owned slab registered as fixed
 * buffers when the kernel allows. `flags`: 0, or JXRP_QP_NVME_PASSTHRU for a ring with big SQEs and CQEs
 * that NVMe namespaces can attach to as well (Linux 5.19+; -EINVAL before).
 */
JXRP_EXPORT int64_t jxrp_qp_create(int32_t depth, int64_t slab_addr, int32_t buffer_count, int32_t buffer_size,
                                   int32_t max_files, int32_t flags)
{
    if (max_files < 1 || max_files > JXRP_MAX_FILES || depth < 1 || buffer_count < 1 || buffer_size < 1 ||
        (flags & ~JXRP_QP_NVME_PASSTHRU) != 0) {
        return -EINVAL;
    }
    struct jxrp_qp *qp = calloc(1, sizeof(*qp));
    if (qp == NULL) {
        return -ENOMEM;
    }
    qp->fds = malloc((size_t)max_files * sizeof(int));
    if (qp->fds == NULL) {
        free(qp);
        return -ENOMEM;
    }
    for (int i = 0; i < max_files; i++) {
        qp->fds[i] = -1;
    }
    qp->max_files = (uint32_t)max_files;
    qp->slab = (uint8_t *)(uintptr_t)slab_addr;
    qp->buffer_count = (uint32_t)buffer_count;
    qp->buffer_size = (uint32_t)buffer_size;

    qp->nvme_fixed = -1;
    /* SUBMIT_ALL (5.18): an SQE that fails early gets its CQE and the rest of the batch is still
       submitted, instead of the batch stopping there. Older kernels refuse the flag: go without.
       Passthrough rings need big SQEs and CQEs (5.19, after SUBMIT_ALL): no fallback for them. */
    unsigned ring_flags = (flags & JXRP_QP_NVME_PASSTHRU) ? IORING_SETUP_SQE128 | IORING_SETUP_CQE32 : 0;
    int rc = io_uring_queue_init((unsigned)depth, &qp->ring, IORING_SETUP_SUBMIT_ALL | ring_flags);
    if (rc == -EINVAL && ring_flags == 0) {
        rc = io_uring_queue_init((unsigned)depth, &qp->ring, 0);
    }
    if (rc < 0) {
        free(qp->fds);
        free(qp);
        return rc;
    }
    if (ring_flags != 0) {
        uint32_t entries = qp->ring.cq.ring_entries;
        qp->nvme = calloc((size_t)max_files, sizeof(*qp->nvme));
        qp->track = calloc(entries, sizeof(*qp->track));
        qp->track_free = calloc(entries, sizeof(*qp->track_free));
        if (qp->nvme == NULL || qp->track == NULL || qp->track_free == NULL) {
            rc = -ENOMEM;
            goto fail_ring;
        }
        for (uint32_t i = 0; i < entries; i++) {
            qp->track_free[i] = entries - 1 - i;
        }
        qp->track_free_top = entries;
    }
    /* A sparse table (5.19); older kernels take a table of -1 entries the same way. */
    rc = io_uring_register_files_sparse(&qp->ring, (unsigned)max_files);
    if (rc == -EINVAL) {
        rc = io_uring_register_files(&qp->ring, qp->fds, (unsigned)max_files);
    }
    if (rc < 0) {
        goto fail_ring;
    }
    qp->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (qp->event_fd < 0) {
        rc = -errno;
        goto fail_ring;
    }
    struct iovec *iov = calloc((size_t)buffer_count, sizeof(*iov));
    if (iov == NULL) {
        rc = -ENOMEM;
        goto fail_eventfd;
    }
    for (int i = 0; i < buffer_count; i++) {
        iov[i].iov_base = qp->slab + (size_t)i * (size_t)buffer_size;
        iov[i].iov_len = (size_t)buffer_size;
    }
    /* Refused e.g. by RLIMIT_MEMLOCK or too many buffers: plain read/write on the same memory. */
    rc = io_uring_register_buffers(&qp->ring, iov, (unsigned)buffer_count);
    free(iov);
    qp->fixed_buffers = rc < 0 ? rc : 1;
    return (int64_t)(uintptr_t)qp;

fail_eventfd:
    close(qp->event_fd);
fail_ring:
    io_uring_queue_exit(&qp->ring);
    free(qp->track_free);
    free(qp->track);
    free(qp->nvme);
    free(qp->fds);
    free(qp);
    return rc;
}

/*
 * Puts `fd` into the lowest free slot of the registered file table and returns that slot (the
 * handle descriptors name), or -errno (-EMFILE: the table is full). On success the queue pair owns
 * the fd: jxrp_qp_detach or jxrp_qp_close closes it. `kind` is JXRP_KIND_FILE (a file or block
 * device) or, on a passthrough queue pair, JXRP_KIND_NVME (an NVMe generic char device: its
 * namespace ID and LBA format are read with Identify Namespace; -EOPNOTSUPP for a format with
 * metadata; the first namespace also finds out whether NVMe commands take the fixed buffers,
 * which fails with -EACCES where passthrough is not allowed).
 */
JXRP_EXPORT int32_t jxrp_qp_attach(int64_t handle, int32_t fd, int32_t kind)
{
    struct jxrp_qp *qp = (struct jxrp_qp *)(uintptr_t)handle;
    if (fd < 0 || (kind != JXRP_KIND_FILE && kind != JXRP_KIND_NVME) || (kind == JXRP_KIND_NVME && qp->nvme == NULL)) {
        return -EINVAL;
    }
    struct jxrp_nvme_namespace ns = {0};
    if (kind == JXRP_KIND_NVME) {
        int rc = jxrp_nvme_identify(fd, &ns);
        if (rc < 0) {
            return rc;
        }
        if (ns.metadata_bytes != 0) {
            return -EOPNOTSUPP;
        }
        if (qp->nvme_fixed < 0) {
            rc = jxrp_nvme_probe_fixed(fd, &ns);
            if (rc < 0) {
                return rc;
            }
            qp->nvme_fixed = rc && qp->fixed_buffers > 0;
        }
    }
    for (uint32_t i = 0; i < qp->max_files; i++) {
        if (qp->fds[i] < 0) {
            int rc = io_uring_register_files_update(&qp->ring, i, &fd, 1);
            if (rc < 0) {
                return rc;
            }
            qp->fds[i] = fd;
            if (qp->nvme != NULL) {
                qp->nvme[i].nsid = ns.nsid;
                qp->nvme[i].lba_shift = kind == JXRP_KIND_NVME ? (uint32_t)__builtin_ctz(ns.lba_bytes) : 0;
            }
            qp->nfiles++;
            return (int32_t)i;
        }
    }
    return -EMFILE;
}

/* Whether NVMe commands use the registered buffers: 1, 0, or -1 before the first namespace attached. */
JXRP_EXPORT int32_t jxrp_qp_nvme_fixed(int64_t handle)
{
    return ((struct jxrp_qp *)(uintptr_t)handle)->nvme_fixed;
}

/*
 * Empties slot `file` of the table and closes its fd. I/O still in flight on it completes
 * normally (the kernel holds its own reference to the file until then).
 */
JXRP_EXPORT int32_t jxrp_qp_detach(int64_t handle, int32_t file)
{
    struct jxrp_qp *qp = (struct jxrp_qp *)(uintptr_t)handle;
    if (file < 0 || (uint32_t)file >= qp->max_files || qp->fds[file] < 0) {
        return -EBADF;
    }
    int none = -1;
    int rc = io_uring_register_files_update(&qp->ring, (unsigned)file, &none, 1);
    if (rc < 0) {
        return rc;
    }
    close(qp->fds[file]);
    qp->fds[file] = -1;
    if (qp->nvme != NULL) {
        qp->nvme[file].nsid = 0;
    }
    qp->nfiles--;
    return 0;
}

JXRP_EXPORT int32_t jxrp_qp_fixed_buffers(int64_t handle)
{
    return ((struct jxrp_qp *)(uintptr_t)handle)->fixed_buffers;
}

/* Moves ready CQEs into out[*n..cap); wake-up CQEs set *woken and are never reported. */
static void reap(struct jxrp_qp *qp, struct jxrp_completion *out, uint32_t cap, uint32_t *n, int *woken)
{
    struct io_uring_cqe *cqe;
    unsigned head;
    unsigned seen = 0;
    io_uring_for_each_cqe(&qp->ring, head, cqe) {
        uint64_t tag = cqe->user_data;
        if (tag == JXRP_TAG_WAKE) {
            uint64_t ignored;
            /* Reset the eventfd counter; EAGAIN means another reap already did. */
            (void)JXRP_RETRY_ERRNO(read(qp->event_fd, &ignored, sizeof(ignored)));
            if (!(cqe->flags & IORING_CQE_F_MORE)) {
                qp->poll_armed = 0;
            }
            *woken = 1;
        } else if (tag == JXRP_TAG_CANCEL || tag == JXRP_TAG_LIBURING) {
            /* internal, nothing to report */
        } else {
            if (*n >= cap) {
                break;
            }
            int32_t result = cqe->res;
            if (qp->track != NULL) {
                /* passthrough ring: user_data is the track entry; NVMe commands report NVMe status */
                struct jxrp_qp_track *t = &qp->track[tag];
                tag = t->tag;
                if (t->nvme) {
                    result = jxrp_nvme_result(result, t->length);
                }
                qp->track_free[qp->track_free_top++] = (uint32_t)(t - qp->track);
            }
            out[*n].tag = tag;
            out[*n].result = result;
            out[*n].pad = 0;
            (*n)++;
            qp->inflight--;
        }
        seen++;
    }
    io_uring_cq_advance(&qp->ring, seen);
}

static int is_transient(int rc)
{
    return rc == -ETIME || rc == -EINTR || rc == -EAGAIN || rc == -EBUSY;
}

/* An NVMe command's descriptor must cover whole logical blocks, at most 65536 of them (NLB is 16 bits). */
static int nvme_descriptor_ok(const struct jxrp_qp_nvme *ns, const struct jxrp_descriptor *d)
{
    if (d->op == JXRP_OP_FLUSH) {
        return 1;
    }
    uint64_t mask = ((uint64_t)1 << ns->lba_shift) - 1;
    return d->length > 0 && (d->offset & mask) == 0 && (d->length & mask) == 0 &&
           (d->length >> ns->lba_shift) <= 65536;
}

static const uint8_t nvme_opcode[] = {
    [JXRP_OP_READ] = JXRP_NVME_CMD_READ,
    [JXRP_OP_WRITE] = JXRP_NVME_CMD_WRITE,
    [JXRP_OP_FLUSH] = JXRP_NVME_CMD_FLUSH,
};

static void prep_descriptor(struct jxrp_qp *qp, struct io_uring_sqe *sqe, const struct jxrp_descriptor *d)
{
    void *buf = qp->slab + (size_t)d->slot * qp->buffer_size;
    uint64_t user_data = d->tag;
    if (qp->track != NULL) {
        uint32_t index = qp->track_free[--qp->track_free_top];
        const struct jxrp_qp_nvme *ns = &qp->nvme[d->file];
        qp->track[index] = (struct jxrp_qp_track){.tag = d->tag, .length = d->length, .nvme = ns->nsid != 0};
        user_data = index;
        if (ns->nsid != 0) {
            jxrp_nvme_prep(sqe, (int)d->file, ns->nsid, nvme_opcode[d->op], d->offset >> ns->lba_shift,
                           d->length >> ns->lba_shift, buf, d->length, qp->nvme_fixed > 0 ? (int)d->slot : -1);
            sqe->flags |= IOSQE_FIXED_FILE;
            io_uring_sqe_set_data64(sqe, user_data);
            return;
        }
    }
    if (d->op == JXRP_OP_FLUSH) {
        io_uring_prep_fsync(sqe, (int)d->file, IORING_FSYNC_DATASYNC);
    } else if (qp->fixed_buffers > 0) {
        if (d->op == JXRP_OP_READ) {
            io_uring_prep_read_fixed(sqe, (int)d->file, buf, d->length, d->offset, (int)d->slot);
        } else {
            io_uring_prep_write_fixed(sqe, (int)d->file, buf, d->length, d->offset, (int)d->slot);
        }
    } else if (d->op == JXRP_OP_READ) {
        io_uring_prep_read(sqe, (int)d->file, buf, d->length, d->offset);
    } else {
        io_uring_prep_write(sqe, (int)d->file, buf, d->length, d->offset);
    }
    sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, user_data);
}

/*
 * Stages `count` descriptors as SQEs (all of them, flushing the SQ whenever it fills, unless the
 * requests in flight would exceed the CQ size: the rest stays staged), submits them and reaps up to
 * `cap` completions into compl_addr, waiting until at least min_complete arrived, a wake-up
 * came, or timeout_nanos (-1: none) passed.
 * Returns (descriptors consumed << 32) | completions reaped, or -errno when nothing happened.
 */
JXRP_EXPORT int64_t jxrp_qp_submit_and_reap(int64_t handle, int64_t desc_addr, int32_t count, int64_t compl_addr,
                                            int32_t cap, int32_t min_complete, int64_t timeout_nanos)
{
    struct jxrp_qp *qp = (struct jxrp_qp *)(uintptr_t)handle;
    const struct jxrp_descriptor *desc = (const struct jxrp_descriptor *)(uintptr_t)desc_addr;
    struct jxrp_completion *out = (struct jxrp_completion *)(uintptr_t)compl_addr;
    struct io_uring *ring = &qp->ring;

    if (!qp->poll_armed) {
        arm_wake_poll(qp);
    }
    uint32_t consumed = 0;
    int bad_descriptor = 0;
    /* Fill the SQ; when it is full, flush it and fill again, as long as everything in flight still
       fits the CQ (so completions never overflow into the kernel's slow path). */
    const uint64_t in_flight_limit = ring->cq.ring_entries;
    while (consumed < (uint32_t)count && !bad_descriptor) {
        uint32_t before = consumed;
        for (; consumed < (uint32_t)count && qp->inflight + consumed < in_flight_limit; consumed++) {
            const struct jxrp_descriptor *d = &desc[consumed];
            if (d->file >= qp->max_files || qp->fds[d->file] < 0 || d->op > JXRP_OP_FLUSH ||
                (d->op != JXRP_OP_FLUSH && (d->slot >= qp->buffer_count || d->length > qp->buffer_size)) ||
                (qp->nvme != NULL && qp->nvme[d->file].nsid != 0 && !nvme_descriptor_ok(&qp->nvme[d->file], d))) {
                bad_descriptor = 1; /* Java validates; this is a second line of defence */
                break;
            }
            struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
            if (sqe == NULL) {
                break;
            }
            prep_descriptor(qp, sqe, d);
        }
        if (consumed == (uint32_t)count || bad_descriptor || qp->inflight + consumed >= in_flight_limit) {
            break;
        }
        /* SQ full: flush it to make room */
        int rc;
        do {
            rc = io_uring_submit(ring);
        } while (rc == -EINTR);
        if (rc <= 0 && consumed == before) {
            break; /* no progress possible now; the rest stays staged */
        }
    }
    qp->inflight += consumed;
    if (bad_descriptor && consumed == 0) {
        return -EINVAL;
    }

    if (cap < 0) {
        cap = 0;
    }
    if (min_complete > cap) {
        min_complete = cap;
    }
    int64_t deadline = timeout_nanos >= 0 ? jxrp_now_nanos() + timeout_nanos : -1;
    uint32_t n = 0;
    int woken = 0;
    int hard_error = 0;
    reap(qp, out, (uint32_t)cap, &n, &woken);
    for (;;) {
        int must_wait = n < (uint32_t)min_complete && !woken;
        if (must_wait && deadline >= 0 && deadline - jxrp_now_nanos() <= 0) {
            must_wait = 0;
        }
        if (!must_wait) {
            if (io_uring_sq_ready(ring) > 0) {
                int rc;
                do {
                    rc = io_uring_submit(ring);
                } while (rc == -EINTR);
                if (rc < 0 && !is_transient(rc)) {
                    hard_error = rc;
                }
                reap(qp, out, (uint32_t)cap, &n, &woken); /* inline completions */
            }
            break;
        }
        struct io_uring_cqe *cqe;
        int rc;
        if (deadline >= 0) {
            int64_t remaining = deadline - jxrp_now_nanos();
            if (remaining < 0) {
                remaining = 0; /* the clock moved since the check above; a negative timespec is EINVAL */
            }
            struct __kernel_timespec ts = {.tv_sec = remaining / 1000000000LL, .tv_nsec = remaining % 1000000000LL};
            rc = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
        } else {
            rc = io_uring_submit_and_wait(ring, 1);
        }
        reap(qp, out, (uint32_t)cap, &n, &woken);
        if (rc < 0 && !is_transient(rc)) {
            hard_error = rc;
            break;
        }
        if (rc == -ETIME) {
            break;
        }
    }
    if (hard_error && consumed == 0 && n == 0) {
        return hard_error;
    }
    return ((int64_t)consumed << 32) | n;
}

JXRP_EXPORT int32_t jxrp_qp_wakeup(int64_t handle)
{
    struct jxrp_qp *qp = (struct jxrp_qp *)(uintptr_t)handle;
    uint64_t one = 1;
    long rc = JXRP_RETRY_ERRNO(write(qp->event_fd, &one, sizeof(one)));
    /* EAGAIN: the counter is saturated, a wake-up is pending anyway. */
    return rc < 0 && rc != -EAGAIN ? (int32_t)rc : 0;
}

/*
 * Cancels what can be cancelled, waits up to drain_timeout_nanos for every in-flight request to
 * complete (the kernel may still be writing into the Java-owned slab until then), then tears the
 * ring down and closes the files. Returns 0, or -ETIMEDOUT when requests were still in flight:
 * the caller must then not free the slab.
 */
JXRP_EXPORT int32_t jxrp_qp_close(int64_t handle, int64_t drain_timeout_nanos)
{
    struct jxrp_qp *qp = (struct jxrp_qp *)(uintptr_t)handle;
    struct io_uring *ring = &qp->ring;
    if (qp->inflight > 0) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        if (sqe == NULL) {
            io_uring_submit(ring);
            sqe = io_uring_get_sqe(ring);
        }
        if (sqe != NULL) {
            io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
            io_uring_sqe_set_data64(sqe, JXRP_TAG_CANCEL);
        }
        int64_t deadline = jxrp_now_nanos() + drain_timeout_nanos;
        struct jxrp_completion discard[64];
        while (qp->inflight > 0) {
            int64_t remaining = deadline - jxrp_now_nanos();
            if (remaining <= 0) {
                break;
            }
            struct __kernel_timespec ts = {.tv_sec = remaining / 1000000000LL, .tv_nsec = remaining % 1000000000LL};
            struct io_uring_cqe *cqe;
            int rc = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
            uint32_t n = 0;
            int woken = 0;
            reap(qp, discard, 64, &n, &woken);
            if (rc < 0 && !is_transient(rc)) {
                break;
            }
        }
    }
    int32_t result = qp->inflight > 0 ? -ETIMEDOUT : 0;
    io_uring_queue_exit(ring);
    for (uint32_t i = 0; i < qp->max_files; i++) {
        if (qp->fds[i] >= 0) {
            close(qp->fds[i]);
        }
    }
    close(qp->event_fd);
    free(qp->track_free);
    free(qp->track);
    free(qp->nvme);
    free(qp->fds);
    free(qp);
    return result;
}
