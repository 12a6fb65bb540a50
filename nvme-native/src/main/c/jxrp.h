/*
 * Shared definitions of the jxrp native shim.
 *
 * Error convention for every exported function: a result >= 0 is success, a negative result is
 * -errno. EINTR is retried here in C; Java never sees it.
 * Every exported symbol starts with jxrp_ and carries JXRP_EXPORT (the library is built with
 * -fvisibility=hidden, so nothing else leaks).
 */
#ifndef JXRP_H
#define JXRP_H

#include <errno.h>
#include <stdint.h>

#define JXRP_EXPORT __attribute__((visibility("default")))

/* Retries a libc call returning -1/errno on EINTR; yields the result or -errno. */
#define JXRP_RETRY_ERRNO(expr)                       \
    ({                                               \
        long jxrp_rc_;                               \
        do {                                         \
            jxrp_rc_ = (long)(expr);                 \
        } while (jxrp_rc_ == -1 && errno == EINTR);  \
        jxrp_rc_ == -1 ? (long)-errno : jxrp_rc_;    \
    })

/*
 * Descriptor record v2, see io.jxrp.nvme.SubmissionDescriptor: 32 bytes, little-endian. Shared by
 * every shim (io_uring, NVMe passthrough, SPDK): `file` is the handle jxrp_*_attach returned.
 */
struct jxrp_descriptor {
    uint64_t tag;
    uint64_t offset; /* bytes into the file or namespace */
    uint32_t length; /* bytes; 0 for FLUSH */
    uint32_t slot;   /* buffer slot; unused for FLUSH */
    uint32_t file;   /* attached file handle */
    uint8_t op;      /* JXRP_OP_* */
    uint8_t pad[3];
};
_Static_assert(sizeof(struct jxrp_descriptor) == 32, "descriptor record is 32 bytes");

#define JXRP_OP_READ 0
#define JXRP_OP_WRITE 1
#define JXRP_OP_FLUSH 2 /* fdatasync of a file, NVMe FLUSH of a namespace */

/* Completion record, see io.jxrp.nvme.CompletionDescriptor: 16 bytes. */
struct jxrp_completion {
    uint64_t tag;
    int32_t result;
    uint32_t pad;
};
_Static_assert(sizeof(struct jxrp_completion) == 16, "completion record is 16 bytes");

/* jxrp_qp_create flags: a ring with 128-byte SQEs and 32-byte CQEs, which NVMe namespaces (NVMe
   commands through IORING_OP_URING_CMD) can attach to as well as files. */
#define JXRP_QP_NVME_PASSTHRU 1

/* jxrp_qp_attach kinds */
#define JXRP_KIND_FILE 0 /* a file or block device: read/write/fdatasync */
#define JXRP_KIND_NVME 1 /* an NVMe generic char device (/dev/ngXnY): NVMe read/write/flush commands */

/* Most files one queue pair can have attached at once (its registered file table). */
#define JXRP_MAX_FILES 4096

/* Current CLOCK_MONOTONIC time in nanoseconds. */
int64_t jxrp_now_nanos(void);

#endif
