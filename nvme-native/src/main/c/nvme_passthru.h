/*
 * NVMe passthrough through io_uring (IORING_OP_URING_CMD on a namespace's generic char device,
 * /dev/ngXnY): what queue_pair.c needs to attach a namespace and build its commands.
 */
#ifndef JXRP_NVME_PASSTHRU_H
#define JXRP_NVME_PASSTHRU_H

#include <liburing.h>
#include <stdint.h>

/* NVM command set opcodes the shim issues. */
#define JXRP_NVME_CMD_FLUSH 0x00
#define JXRP_NVME_CMD_WRITE 0x01
#define JXRP_NVME_CMD_READ 0x02

/* Output record of jxrp_nvme_namespace_probe, see io.jxrp.nvme.NvmeNamespaceDescriptor (24 bytes). */
struct jxrp_nvme_namespace {
    uint64_t blocks;         /* NSZE: the namespace's size in logical blocks */
    uint32_t nsid;           /* NVME_IOCTL_ID */
    uint32_t lba_bytes;      /* 2^LBADS of the format in use */
    uint32_t metadata_bytes; /* metadata per logical block of that format (0: none) */
    uint32_t flags;          /* JXRP_NVME_NS_* */
};
_Static_assert(sizeof(struct jxrp_nvme_namespace) == 24, "namespace record is 24 bytes");

#define JXRP_NVME_NS_EXTENDED_LBA 1u /* metadata travels inline with the data (FLBAS bit 4) */
#define JXRP_NVME_NS_PASSTHRU 2u      /* an NVMe read through IORING_OP_URING_CMD worked */
#define JXRP_NVME_NS_FIXED 4u         /* ... with a registered buffer (IORING_URING_CMD_FIXED) */

/* Fills *ns from NVME_IOCTL_ID and Identify Namespace on `fd` (a generic char or block device). */
int jxrp_nvme_identify(int fd, struct jxrp_nvme_namespace *ns);

/*
 * 1 when the kernel takes registered buffers for NVMe commands (IORING_URING_CMD_FIXED, 6.1), 0
 * when it refuses the flag, -errno when the namespace cannot be read through passthrough at all
 * (e.g. -EACCES without CAP_SYS_ADMIN). Reads logical block 0 on a ring of its own.
 */
int jxrp_nvme_probe_fixed(int fd, const struct jxrp_nvme_namespace *ns);

/*
 * Fills a 128-byte SQE with an NVMe READ, WRITE (`nlb` blocks from `slba`, `length` bytes at `buf`)
 * or FLUSH for namespace `nsid` of registered file `file_index`; buf_index >= 0 names the registered
 * buffer that holds `buf`.
 */
void jxrp_nvme_prep(struct io_uring_sqe *sqe, int file_index, uint32_t nsid, uint8_t opcode, uint64_t slba,
                    uint32_t nlb, void *buf, uint32_t length, int buf_index);

/*
 * The result a completion reports for an NVMe command: `res` is the CQE's (negative: -errno from the
 * kernel; positive: the NVMe status field, DNR/More/CRD included; 0: success), `length` what the
 * command transferred. Success gives `length`; an NVMe status gives the -errno it stands for.
 */
int32_t jxrp_nvme_result(int32_t res, uint32_t length);

#endif
