/*
 * Device facts (size, logical block size, O_DIRECT), the device a file lives on, and FIEMAP.
 */
#include "jxrp.h"

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Output record, see io.jxrp.nvme.DeviceFactsDescriptor (24 bytes). */
struct jxrp_device_facts {
    uint64_t size_bytes;
    uint32_t logical_block_size; /* 0: the kernel did not say; Java asks sysfs */
    uint32_t flags;
    uint32_t dev_major; /* st_rdev of a block device, st_dev of a file */
    uint32_t dev_minor;
};
_Static_assert(sizeof(struct jxrp_device_facts) == 24, "device facts record is 24 bytes");

#define JXRP_FACT_BLOCK_DEVICE 1u
#define JXRP_FACT_DIRECT_IO 2u

/* 1 when O_DIRECT open works, 0 when the file system refuses it (EINVAL), else -errno. */
static int direct_io_works(const char *path)
{
    long fd = JXRP_RETRY_ERRNO(open(path, O_RDONLY | O_DIRECT | O_CLOEXEC));
    if (fd == -EINVAL) {
        return 0;
    }
    if (fd < 0) {
        return (int)fd;
    }
    close((int)fd);
    return 1;
}

JXRP_EXPORT int32_t jxrp_device_probe(const char *path, int64_t out_addr)
{
    struct jxrp_device_facts *out = (struct jxrp_device_facts *)(uintptr_t)out_addr;
    memset(out, 0, sizeof(*out));
    struct statx stx;
    long rc_statx = JXRP_RETRY_ERRNO(statx(AT_FDCWD, path, 0, STATX_TYPE | STATX_SIZE | STATX_DIOALIGN, &stx));
    if (rc_statx < 0) {
        return (int32_t)rc_statx;
    }
    if (S_ISBLK(stx.stx_mode)) {
        long fd = JXRP_RETRY_ERRNO(open(path, O_RDONLY | O_CLOEXEC));
        if (fd < 0) {
            return (int32_t)fd;
        }
        uint64_t size = 0;
        int lbs = 0;
        int rc = 0;
        long rc_size = JXRP_RETRY_ERRNO(ioctl((int)fd, BLKGETSIZE64, &size));
        long rc_lbs = rc_size < 0 ? rc_size : JXRP_RETRY_ERRNO(ioctl((int)fd, BLKSSZGET, &lbs));
        if (rc_lbs < 0) {
            rc = (int)rc_lbs;
        }
        close((int)fd);
        if (rc < 0) {
            return rc;
        }
        out->size_bytes = size;
        out->logical_block_size = (uint32_t)lbs;
        out->flags = JXRP_FACT_BLOCK_DEVICE;
        out->dev_major = stx.stx_rdev_major;
        out->dev_minor = stx.stx_rdev_minor;
    } else if (S_ISREG(stx.stx_mode)) {
        out->size_bytes = stx.stx_size;
        if ((stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align != 0) {
            out->logical_block_size = stx.stx_dio_offset_align;
        }
        out->dev_major = stx.stx_dev_major;
        out->dev_minor = stx.stx_dev_minor;
    } else {
        return -ENOTBLK;
    }
    int direct = direct_io_works(path);
    if (direct < 0) {
        return direct;
    }
    if (direct) {
        out->flags |= JXRP_FACT_DIRECT_IO;
    }
    return 0;
}

/* (major << 32) | minor of the device holding the file (st_dev), or -errno. */
JXRP_EXPORT int64_t jxrp_file_device(const char *path)
{
    struct stat st;
    long rc = JXRP_RETRY_ERRNO(stat(path, &st));
    if (rc < 0) {
        return rc;
    }
    return ((int64_t)major(st.st_dev) << 32) | (int64_t)minor(st.st_dev);
}

/* Output record, see io.jxrp.nvme.ExtentDescriptor (32 bytes). */
struct jxrp_extent {
    uint64_t logical;
    uint64_t physical;
    uint64_t length;
    uint32_t flags;
    uint32_t reserved;
};
_Static_assert(sizeof(struct jxrp_extent) == 32, "extent record is 32 bytes");

/*
 * FIEMAP from logical offset `start` to the end of the file, at most max_extents records into
 * out_addr. sync != 0 adds FIEMAP_FLAG_SYNC (flush delayed allocation first).
 * Returns the number of extents written (0: none left), or -errno.
 */
JXRP_EXPORT int32_t jxrp_fiemap(const char *path, int64_t start, int64_t out_addr, int32_t max_extents, int32_t sync)
{
    if (max_extents < 1 || start < 0) {
        return -EINVAL;
    }
    long fd = JXRP_RETRY_ERRNO(open(path, O_RDONLY | O_CLOEXEC));
    if (fd < 0) {
        return (int32_t)fd;
    }
    size_t size = sizeof(struct fiemap) + (size_t)max_extents * sizeof(struct fiemap_extent);
    struct fiemap *fm = calloc(1, size);
    if (fm == NULL) {
        close((int)fd);
        return -ENOMEM;
    }
    fm->fm_start = (uint64_t)start;
    fm->fm_length = FIEMAP_MAX_OFFSET - (uint64_t)start;
    fm->fm_flags = sync ? FIEMAP_FLAG_SYNC : 0;
    fm->fm_extent_count = (uint32_t)max_extents;
    int rc = (int)JXRP_RETRY_ERRNO(ioctl((int)fd, FS_IOC_FIEMAP, fm));
    if (rc == 0) {
        struct jxrp_extent *out = (struct jxrp_extent *)(uintptr_t)out_addr;
        for (uint32_t i = 0; i < fm->fm_mapped_extents; i++) {
            out[i].logical = fm->fm_extents[i].fe_logical;
            out[i].physical = fm->fm_extents[i].fe_physical;
            out[i].length = fm->fm_extents[i].fe_length;
            out[i].flags = fm->fm_extents[i].fe_flags;
            out[i].reserved = 0;
        }
        rc = (int)fm->fm_mapped_extents;
    }
    free(fm);
    close((int)fd);
    return rc;
}
