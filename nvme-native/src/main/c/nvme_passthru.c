/*
 * NVMe passthrough helpers: namespace facts (NVME_IOCTL_ID, Identify Namespace), the probe for
 * registered buffers in NVMe commands, NVMe command SQEs and NVMe status -> -errno.
 */
#include "jxrp.h"
#include "nvme_passthru.h"

#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#define NVME_ADMIN_IDENTIFY 0x06
#define NVME_IDENTIFY_CNS_NAMESPACE 0x00
#define NVME_IDENTIFY_BYTES 4096

/* Identify Namespace data structure offsets (NVMe base specification 2.0, figure 275). */
#define ID_NS_NSZE 0
#define ID_NS_NLBAF 25
#define ID_NS_FLBAS 26
#define ID_NS_LBAF 128

int jxrp_nvme_identify(int fd, struct jxrp_nvme_namespace *ns)
{
    memset(ns, 0, sizeof(*ns));
    long nsid = JXRP_RETRY_ERRNO(ioctl(fd, NVME_IOCTL_ID));
    if (nsid < 0) {
        return (int)nsid; /* -ENOTTY: not an NVMe device */
    }
    uint8_t *id = aligned_alloc(4096, NVME_IDENTIFY_BYTES);
    if (id == NULL) {
        return -ENOMEM;
    }
    memset(id, 0, NVME_IDENTIFY_BYTES);
    struct nvme_admin_cmd cmd = {
        .opcode = NVME_ADMIN_IDENTIFY,
        .nsid = (uint32_t)nsid,
        .addr = (uint64_t)(uintptr_t)id,
        .data_len = NVME_IDENTIFY_BYTES,
        .cdw10 = NVME_IDENTIFY_CNS_NAMESPACE,
    };
    long rc = JXRP_RETRY_ERRNO(ioctl(fd, NVME_IOCTL_ADMIN_CMD, &cmd));
    if (rc != 0) {
        free(id);
        if (rc < 0) {
            return (int)rc;
        }
        int32_t err = jxrp_nvme_result((int32_t)rc, 0);
        return err < 0 ? err : -EIO;
    }
    uint8_t flbas = id[ID_NS_FLBAS];
    /* format index: FLBAS bits 3:0, and bits 6:5 as its upper bits when more than 16 formats exist */
    uint32_t format = (flbas & 0xfu) | (id[ID_NS_NLBAF] >= 16 ? ((flbas >> 5) & 0x3u) << 4 : 0);
    uint32_t lbaf;
    memcpy(&lbaf, id + ID_NS_LBAF + 4 * format, sizeof(lbaf)); /* MS 15:0, LBADS 23:16 */
    uint32_t lbads = (lbaf >> 16) & 0xffu;
    memcpy(&ns->blocks, id + ID_NS_NSZE, sizeof(ns->blocks));
    free(id);
    if (lbads < 9 || lbads > 24) {
        return -EPROTO; /* not a usable format (LBADS 0 means the format is not supported) */
    }
    ns->nsid = (uint32_t)nsid;
    ns->lba_bytes = 1u << lbads;
    ns->metadata_bytes = lbaf & 0xffffu;
    ns->flags = (flbas & 0x10u) ? JXRP_NVME_NS_EXTENDED_LBA : 0;
    return 0;
}

/*
 * Facts about the NVMe namespace at `path` into the record at out_addr. With `try_read`, and a format
 * without metadata, also reads logical block 0 through io_uring NVMe passthrough and sets
 * JXRP_NVME_NS_PASSTHRU (and JXRP_NVME_NS_FIXED when a registered buffer worked); a refused read is
 * the result (-EACCES without CAP_SYS_ADMIN, -EINVAL or -EOPNOTSUPP on kernels without it).
 * Returns 0 or -errno.
 */
JXRP_EXPORT int32_t jxrp_nvme_namespace_probe(const char *path, int64_t out_addr, int32_t try_read)
{
    struct jxrp_nvme_namespace *ns = (struct jxrp_nvme_namespace *)(uintptr_t)out_addr;
    long fd = JXRP_RETRY_ERRNO(open(path, O_RDONLY | O_CLOEXEC));
    if (fd < 0) {
        return (int32_t)fd;
    }
    int rc = jxrp_nvme_identify((int)fd, ns);
    if (rc == 0 && try_read && ns->metadata_bytes == 0) {
        rc = jxrp_nvme_probe_fixed((int)fd, ns);
        if (rc >= 0) {
            ns->flags |= JXRP_NVME_NS_PASSTHRU | (rc ? JXRP_NVME_NS_FIXED : 0);
            rc = 0;
        }
    }
    close((int)fd);
    return rc;
}

void jxrp_nvme_prep(struct io_uring_sqe *sqe, int file_index, uint32_t nsid, uint8_t opcode, uint64_t slba,
                    uint32_t nlb, void *buf, uint32_t length, int buf_index)
{
    memset(sqe, 0, 2 * sizeof(*sqe)); /* a big SQE: the NVMe command sits in its last 80 bytes */
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = file_index;
    sqe->cmd_op = NVME_URING_CMD_IO;
    struct nvme_uring_cmd *cmd = (struct nvme_uring_cmd *)sqe->cmd;
    cmd->opcode = opcode;
    cmd->nsid = nsid;
    if (opcode != JXRP_NVME_CMD_FLUSH) {
        cmd->addr = (uint64_t)(uintptr_t)buf;
        cmd->data_len = length;
        cmd->cdw10 = (uint32_t)slba;
        cmd->cdw11 = (uint32_t)(slba >> 32);
        cmd->cdw12 = nlb - 1; /* NLB is 0-based */
        if (buf_index >= 0) {
            sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
            sqe->buf_index = (uint16_t)buf_index;
        }
    }
}

int jxrp_nvme_probe_fixed(int fd, const struct jxrp_nvme_namespace *ns)
{
    struct io_uring ring;
    int rc = io_uring_queue_init(2, &ring, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
    if (rc < 0) {
        return rc; /* -EINVAL before 5.19: no big SQEs, no passthrough */
    }
    void *buf = aligned_alloc(4096, ns->lba_bytes < 4096 ? 4096 : ns->lba_bytes);
    if (buf == NULL) {
        io_uring_queue_exit(&ring);
        return -ENOMEM;
    }
    struct iovec iov = {.iov_base = buf, .iov_len = ns->lba_bytes};
    int fixed = io_uring_register_buffers(&ring, &iov, 1) == 0;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (sqe == NULL) { /* cannot happen on a fresh ring; keeps the compiler's bounds check quiet */
        io_uring_queue_exit(&ring);
        free(buf);
        return -EBUSY;
    }
    jxrp_nvme_prep(sqe, fd, ns->nsid, JXRP_NVME_CMD_READ, 0, 1, buf, ns->lba_bytes, fixed ? 0 : -1);
    rc = io_uring_submit(&ring);
    struct io_uring_cqe *cqe = NULL;
    if (rc == 1) {
        do {
            rc = io_uring_wait_cqe(&ring, &cqe);
        } while (rc == -EINTR);
    } else if (rc >= 0) {
        rc = -EIO;
    }
    if (rc == 0) {
        int32_t res = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
        if (res == -EINVAL && fixed) {
            rc = 0; /* before 6.1 the flag field had to be zero: no registered buffers in NVMe commands */
        } else if (res != 0) {
            rc = jxrp_nvme_result(res, ns->lba_bytes);
        } else {
            rc = fixed;
        }
    }
    io_uring_queue_exit(&ring);
    free(buf);
    return rc;
}

/*
 * NVMe status (Status Code Type << 8 | Status Code, as the kernel reports it in a passthrough CQE) to
 * -errno, by what the status means for the caller; anything not named here is -EIO.
 */
static int32_t status_errno(uint32_t status)
{
    switch (status & 0x7ffu) {
    case 0x000: return 0;
    case 0x001: return -EOPNOTSUPP; /* invalid command opcode */
    case 0x002: return -EINVAL;     /* invalid field in command */
    case 0x007:                     /* command abort requested */
    case 0x008: return -ECANCELED;  /* aborted: submission queue deleted */
    case 0x00b: return -ENXIO;      /* invalid namespace or format */
    case 0x020: return -EROFS;      /* namespace is write protected */
    case 0x080: return -ERANGE;     /* LBA out of range */
    case 0x081: return -ENOSPC;     /* capacity exceeded */
    case 0x082: return -EBUSY;      /* namespace not ready */
    case 0x083: return -EBADE;      /* reservation conflict */
    case 0x180: return -EINVAL;     /* conflicting attributes */
    case 0x181:                     /* invalid protection information */
    case 0x282:                     /* end-to-end guard check error */
    case 0x283:                     /* end-to-end application tag check error */
    case 0x284: return -EILSEQ;     /* end-to-end reference tag check error */
    case 0x182: return -EROFS;      /* attempted write to read-only range */
    case 0x286: return -EACCES;     /* access denied */
    case 0x287: return -ENODATA;    /* deallocated or unwritten logical block */
    default:
        if ((status & 0x700u) == 0x300u) {
            return -ENOLINK; /* path related: the controller or its path is gone */
        }
        return -EIO; /* media errors (write fault, unrecovered read error, ...) and the rest */
    }
}

int32_t jxrp_nvme_result(int32_t res, uint32_t length)
{
    if (res < 0) {
        return res;
    }
    if (res == 0) {
        return (int32_t)length;
    }
    int32_t err = status_errno((uint32_t)res);
    return err != 0 ? err : (int32_t)length;
}
