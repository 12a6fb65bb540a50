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
