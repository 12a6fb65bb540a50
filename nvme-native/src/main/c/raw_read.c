/*
 * The "device limit" measurement: aligned random O_DIRECT reads through io_uring at a fixed
 * depth, entirely in C (no JVM in the loop), for when fio is absent.
 */
#include "jxrp.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* Output record, see io.jxrp.nvme.RawRead: {u64 ios, u64 nanos}. */
struct jxrp_raw_result {
    uint64_t ios;
    uint64_t nanos;
};

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: small, seedable, good enough to spread offsets */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int submit_one(struct io_uring *ring, int fixed, uint8_t *buffers, int32_t block_size, uint32_t index,
                      uint64_t blocks, uint64_t *rng)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (sqe == NULL) {
        return -EBUSY;
    }
    uint64_t offset = (next_random(rng) % blocks) * (uint64_t)block_size;
    void *buf = buffers + (size_t)index * (size_t)block_size;
    if (fixed) {
        io_uring_prep_read_fixed(sqe, 0, buf, (unsigned)block_size, offset, (int)index);
    } else {
        io_uring_prep_read(sqe, 0, buf, (unsigned)block_size, offset);
    }
    sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, index);
    return 0;
}

/*
 * Reads random block_size-aligned blocks of the first region_bytes (<= 0: all) of `path` at
 * `depth` in flight for duration_nanos. Writes {ios completed, nanos elapsed} to out_addr.
 * Returns 0 or -errno (a failed or short read ends the run with its error, -EIO for short).
 */
JXRP_EXPORT int32_t jxrp_raw_random_reads(const char *path, int32_t block_size, int32_t depth, int64_t duration_nanos,
                                          int64_t seed, int64_t region_bytes, int64_t out_addr)
{
    struct jxrp_raw_result *out = (struct jxrp_raw_result *)(uintptr_t)out_addr;
    memset(out, 0, sizeof(*out));
    if (block_size < 512 || (block_size & (block_size - 1)) != 0 || depth < 1 || depth > 4096 || duration_nanos < 0) {
        return -EINVAL;
    }
    long fd = JXRP_RETRY_ERRNO(open(path, O_RDONLY | O_DIRECT | O_CLOEXEC));
    if (fd < 0) {
        return (int32_t)fd;
    }
    int rc = 0;
    uint64_t size = 0;
    struct stat st;
    if (fstat((int)fd, &st) != 0) {
        rc = -errno;
    } else if (S_ISBLK(st.st_mode)) {
        if (ioctl((int)fd, BLKGETSIZE64, &size) != 0) {
            rc = -errno;
        }
    } else {
        size = (uint64_t)st.st_size;
    }
    if (rc == 0 && region_bytes > 0 && (uint64_t)region_bytes < size) {
        size = (uint64_t)region_bytes;
    }
    uint64_t blocks = size / (uint64_t)block_size;
    if (rc == 0 && blocks == 0) {
        rc = -EINVAL; /* nothing to read */
    }
    if (rc < 0) {
        close((int)fd);
        return rc;
    }

    uint8_t *buffers = NULL;
    if (posix_memalign((void **)&buffers, 4096, (size_t)depth * (size_t)block_size) != 0) {
        close((int)fd);
        return -ENOMEM;
    }
    struct io_uring ring;
    rc = io_uring_queue_init((unsigned)depth, &ring, 0);
    if (rc < 0) {
        free(buffers);
        close((int)fd);
        return rc;
    }
    int fd_int = (int)fd;
    rc = io_uring_register_files(&ring, &fd_int, 1);
    int fixed = 0;
    if (rc == 0) {
        struct iovec *iov = calloc((size_t)depth, sizeof(*iov));
        if (iov != NULL) {
            for (int i = 0; i < depth; i++) {
                iov[i].iov_base = buffers + (size_t)i * (size_t)block_size;
                iov[i].iov_len = (size_t)block_size;
            }
            fixed = io_uring_register_buffers(&ring, iov, (unsigned)depth) == 0;
            free(iov);
        }
    }

    uint64_t rng = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1; /* never 0 */
    uint64_t ios = 0;
    uint64_t inflight = 0;
    int64_t start = jxrp_now_nanos();
    int64_t deadline = start + duration_nanos;
    int64_t now = start;
    for (uint32_t i = 0; rc == 0 && i < (uint32_t)depth; i++) {
        rc = submit_one(&ring, fixed, buffers, block_size, i, blocks, &rng);
        inflight += rc == 0;
    }
    while (rc == 0 && inflight > 0) {
        int wait_rc = io_uring_submit_and_wait(&ring, 1);
        if (wait_rc < 0 && wait_rc != -EINTR && wait_rc != -EAGAIN && wait_rc != -EBUSY) {
            rc = wait_rc;
            break;
        }
        now = jxrp_now_nanos();
        struct io_uring_cqe *cqe;
        unsigned head;
        unsigned seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            inflight--;
            if (cqe->res != block_size) {
                if (rc == 0) {
                    rc = cqe->res < 0 ? cqe->res : -EIO;
                }
                continue;
            }
            ios++;
            if (rc == 0 && now < deadline) {
                rc = submit_one(&ring, fixed, buffers, block_size, (uint32_t)cqe->user_data, blocks, &rng);
                inflight += rc == 0;
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
    /* drain whatever an error left in flight before freeing the buffers */
    while (inflight > 0) {
        struct io_uring_cqe *cqe;
        int wait_rc = io_uring_wait_cqe(&ring, &cqe);
        if (wait_rc == -EINTR) {
            continue;
        }
        if (wait_rc < 0) {
            break;
        }
        io_uring_cqe_seen(&ring, cqe);
        inflight--;
    }
    out->ios = ios;
    out->nanos = (uint64_t)(now - start);
    io_uring_queue_exit(&ring);
    if (inflight == 0) {
        free(buffers);
    } /* else: leaked on purpose, the device may still write into them */
    close((int)fd);
    return rc;
}
