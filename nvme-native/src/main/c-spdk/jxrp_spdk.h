/*
 * Internal definitions of libjxrp_spdk.so, the SPDK shim: the same queue-pair contract as the
 * io_uring shim (jxrp.h: 32-byte descriptors, 16-byte completions, -errno results, one call per
 * batch) over SPDK's user-space NVMe driver (NVMe-oF/TCP, PCIe).
 */
#ifndef JXRP_SPDK_H
#define JXRP_SPDK_H

#include "jxrp.h"

#include <pthread.h>
#include <spdk/env.h>
#include <spdk/nvme.h>

/*
 * Descriptor record v2 (32 bytes, little-endian): the layout of jxrp.h's struct jxrp_descriptor in
 * queue pair v2, which the io_uring shim is moving to; this shim uses jxrp.h's definition once
 * that is on main. Fields: tag, offset (bytes), length (bytes, 0 for FLUSH), slot (buffer),
 * file (attached handle), op (JXRP_OP_*).
 */
struct jxrp_spdk_descriptor {
    uint64_t tag;
    uint64_t offset;
    uint32_t length;
    uint32_t slot;
    uint32_t file;
    uint8_t op;
    uint8_t pad[3];
};
_Static_assert(sizeof(struct jxrp_spdk_descriptor) == 32, "descriptor record v2 is 32 bytes");

#ifndef JXRP_OP_FLUSH
#define JXRP_OP_FLUSH 2
#endif

/*
 * A connected controller, shared by every queue pair of the process: SPDK attaches a controller
 * once per process, so connections to one transport ID are reference counted (see
 * jxrp_spdk_ctrlr_connect). refs counts the Java handle's connects plus one per queue pair that
 * holds an I/O qpair on it; guarded by the controller list lock in spdk_ctrlr.c.
 */
struct jxrp_spdk_ctrlr {
    struct spdk_nvme_ctrlr *ctrlr;
    struct spdk_nvme_transport_id trid;
    int refs;
    /* set once the admin queue failed (keep-alive lost, target gone); read by I/O threads */
    int failed;
    struct jxrp_spdk_ctrlr *next;
};

/* 0 once jxrp_spdk_env_init succeeded, else -errno (-ENODEV when it was never called). */
int jxrp_spdk_env_state(void);

/* Takes one more reference on a live controller handle (from a queue pair attach). */
void jxrp_spdk_ctrlr_ref(struct jxrp_spdk_ctrlr *c);

/* Drops a reference; the last one detaches the controller from SPDK. */
void jxrp_spdk_ctrlr_unref(struct jxrp_spdk_ctrlr *c);

#endif
