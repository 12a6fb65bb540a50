/*
 * File read leases (F_SETLEASE F_RDLCK) for stale-mapping detection.
 *
 * A lease break (another process opening the file for writing, or truncating it) makes the
 * kernel send JXRP_LEASE_SIGNAL to this process with si_fd = the lease's fd; the writer blocks
 * until we F_UNLCK (or /proc/sys/fs/lease-break-time passes). The handler, installed once, bumps
 * the lease's 8-byte counter (memory owned by Java) and writes to the lease's eventfd.
 *
 * Signal choice: SIGRTMIN+3 (37 with glibc, which keeps 32 and 33 for itself). A HotSpot JVM
 * (JDK 25) catches 1,3,4,7,8,11,12,13,15,25,33 and SIGRTMAX-2 (62, NIO's interrupt signal),
 * measured from /proc/PID/status SigCgt; no other real-time signal.
 */
#include "jxrp.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define JXRP_LEASE_SIGNAL (SIGRTMIN + 3)
#define JXRP_MAX_LEASES 256

struct lease_slot {
    atomic_int claimed;          /* 0 free, 1 owned by a FileLease */
    atomic_int published_fd;     /* lease fd + 1 the handler matches si_fd against; 0 (static init) = none */
    atomic_int busy;             /* handlers currently using this slot */
    int event_fd;
    _Atomic(uint64_t) *counter;  /* Java-owned break counter; valid while fd is published */
};

/*
 * Global state, because a signal handler gets no context pointer: the handler must find the
 * lease from si_fd alone. Slots are static storage, never freed, so a handler can always touch
 * them safely; `busy` keeps the Java counter memory alive while a handler uses it.
 */
static struct lease_slot lease_slots[JXRP_MAX_LEASES];
static struct sigaction previous_action;
static struct sigaction previous_sigio_action;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_install_error;

/* Counts a break on the slot if `fd` (or any fd when match_any) is published there. */
static int bump_slot(struct lease_slot *slot, int fd, int match_any)
{
    int current = atomic_load(&slot->published_fd);
    if (current == 0 || (!match_any && current != fd + 1)) {
        return 0;
    }
    int handled = 0;
    atomic_fetch_add(&slot->busy, 1);
    if (atomic_load(&slot->published_fd) == current) { /* still published: counter and eventfd are live */
        atomic_fetch_add_explicit(slot->counter, 1, memory_order_release);
        uint64_t one = 1;
        ssize_t ignored = write(slot->event_fd, &one, sizeof(one)); /* async-signal-safe */
        (void)ignored;
        handled = 1;
    }
    atomic_fetch_sub(&slot->busy, 1);
    return handled;
}

static void chain(const struct sigaction *previous, int sig, siginfo_t *info, void *context)
{
    if ((previous->sa_flags & SA_SIGINFO) && previous->sa_sigaction != NULL) {
        previous->sa_sigaction(sig, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN && previous->sa_handler != NULL) {
        previous->sa_handler(sig);
    }
}

/*
 * SIGIO is what the kernel sends instead of our signal when it cannot queue a real-time signal
 * (RLIMIT_SIGPENDING) or when a lease has no F_SETSIG: it carries no fd, so every lease counts a
 * (possibly spurious) break, which is safe. Without this handler SIGIO's default action would
 * kill the JVM. Installed only where SIGIO had the default action.
 */
static void sigio_handler(int sig, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    for (int i = 0; i < JXRP_MAX_LEASES; i++) {
        bump_slot(&lease_slots[i], -1, 1);
    }
    chain(&previous_sigio_action, sig, info, context);
    errno = saved_errno;
}

static void lease_signal_handler(int sig, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    int handled = 0;
    int fd = info != NULL ? info->si_fd : -1;
    for (int i = 0; fd >= 0 && i < JXRP_MAX_LEASES && !handled; i++) {
        handled = bump_slot(&lease_slots[i], fd, 0);
    }
    if (!handled) {
        chain(&previous_action, sig, info, context); /* not one of ours */
    }
    errno = saved_errno;
}

static void install_handler(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = lease_signal_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(JXRP_LEASE_SIGNAL, &action, &previous_action) != 0) {
        handler_install_error = -errno;
        return;
    }
    struct sigaction current;
    if (sigaction(SIGIO, NULL, &current) == 0 && !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_DFL) {
        struct sigaction sigio;
        memset(&sigio, 0, sizeof(sigio));
        sigio.sa_sigaction = sigio_handler;
        sigio.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sigio.sa_mask);
        if (sigaction(SIGIO, &sigio, &previous_sigio_action) != 0) {
            handler_install_error = -errno;
        }
    }
}

JXRP_EXPORT int32_t jxrp_lease_signal(void)
{
    return JXRP_LEASE_SIGNAL;
}

static int published_fd(const struct lease_slot *slot)
{
    return atomic_load(&slot->published_fd) - 1;
}

static void unpublish_and_free(struct lease_slot *slot)
{
    atomic_store(&slot->published_fd, 0);
    while (atomic_load(&slot->busy) != 0) {
        sched_yield();
    }
}

/*
 * Opens `path` O_RDONLY and takes a read lease whose breaks count into *counter_addr.
 * Returns the lease id (>= 0) or -errno (EAGAIN: the file is open for writing somewhere,
 * this process included; EACCES: not the owner and no CAP_LEASE; ENOSPC: too many leases).
 */
JXRP_EXPORT int32_t jxrp_lease_acquire(const char *path, int64_t counter_addr)
{
    pthread_once(&handler_once, install_handler);
    if (handler_install_error < 0) {
        return handler_install_error;
    }
    int id = -1;
    for (int i = 0; i < JXRP_MAX_LEASES; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&lease_slots[i].claimed, &expected, 1)) {
            id = i;
            break;
        }
    }
    if (id < 0) {
        return -ENOSPC;
    }
    struct lease_slot *slot = &lease_slots[id];
    atomic_store(&slot->published_fd, 0);
    long fd = JXRP_RETRY_ERRNO(open(path, O_RDONLY | O_CLOEXEC));
    if (fd < 0) {
        atomic_store(&slot->claimed, 0);
        return (int32_t)fd;
    }
    slot->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (slot->event_fd < 0) {
        int rc = -errno;
        close((int)fd);
        atomic_store(&slot->claimed, 0);
        return rc;
    }
    slot->counter = (_Atomic(uint64_t) *)(uintptr_t)counter_addr;
    atomic_store(&slot->published_fd, (int)fd + 1); /* publish before the lease exists: no break can be missed */
    int rc = 0;
    if (fcntl((int)fd, F_SETSIG, JXRP_LEASE_SIGNAL) != 0 || fcntl((int)fd, F_SETLEASE, F_RDLCK) != 0) {
        rc = -errno;
    }
    if (rc < 0) {
        unpublish_and_free(slot);
        close((int)fd);
        close(slot->event_fd);
        atomic_store(&slot->claimed, 0);
        return rc;
    }
    return id;
}

/* reacquire != 0: F_SETLEASE F_RDLCK again; else F_UNLCK (lets a blocked writer proceed). */
JXRP_EXPORT int32_t jxrp_lease_set(int32_t id, int32_t reacquire)
{
    if (id < 0 || id >= JXRP_MAX_LEASES) {
        return -EINVAL;
    }
    int fd = published_fd(&lease_slots[id]);
    if (fd < 0) {
        return -EBADF;
    }
    /* F_UNLCK resets the file's F_SETSIG signal to 0 (plain SIGIO): set it again every time. */
    if (reacquire && fcntl(fd, F_SETSIG, JXRP_LEASE_SIGNAL) != 0) {
        return -errno;
    }
    return fcntl(fd, F_SETLEASE, reacquire ? F_RDLCK : F_UNLCK) == 0 ? 0 : -errno;
}

/* Waits for a break (or jxrp_lease_wake) up to timeout_nanos (-1: forever). 1 = signalled, 0 = timeout. */
JXRP_EXPORT int32_t jxrp_lease_await(int32_t id, int64_t timeout_nanos)
{
    if (id < 0 || id >= JXRP_MAX_LEASES) {
        return -EINVAL;
    }
    struct lease_slot *slot = &lease_slots[id];
    int64_t deadline = timeout_nanos >= 0 ? jxrp_now_nanos() + timeout_nanos : -1;
    for (;;) {
        struct pollfd pfd = {.fd = slot->event_fd, .events = POLLIN};
        struct timespec ts;
        struct timespec *tsp = NULL;
        if (deadline >= 0) {
            int64_t remaining = deadline - jxrp_now_nanos();
            if (remaining < 0) {
                remaining = 0;
            }
            ts.tv_sec = remaining / 1000000000LL;
            ts.tv_nsec = remaining % 1000000000LL;
            tsp = &ts;
        }
        int rc = ppoll(&pfd, 1, tsp, NULL);
        if (rc < 0) {
            if (errno == EINTR) { /* e.g. our own lease signal landed on this thread */
                continue;
            }
            return -errno;
        }
        if (rc == 0) {
            return 0;
        }
        uint64_t value;
        long read_rc = JXRP_RETRY_ERRNO(read(slot->event_fd, &value, sizeof(value)));
        if (read_rc == -EAGAIN) {
            continue; /* another waiter took it */
        }
        return read_rc < 0 ? (int32_t)read_rc : 1;
    }
}

/* Makes jxrp_lease_await return (used by close). */
JXRP_EXPORT int32_t jxrp_lease_wake(int32_t id)
{
    if (id < 0 || id >= JXRP_MAX_LEASES) {
        return -EINVAL;
    }
    uint64_t one = 1;
    long rc = JXRP_RETRY_ERRNO(write(lease_slots[id].event_fd, &one, sizeof(one)));
    return rc < 0 && rc != -EAGAIN ? (int32_t)rc : 0;
}

/* Releases the lease, stops its signals reaching Java memory, closes its fds, frees the id. */
JXRP_EXPORT int32_t jxrp_lease_close(int32_t id)
{
    if (id < 0 || id >= JXRP_MAX_LEASES) {
        return -EINVAL;
    }
    struct lease_slot *slot = &lease_slots[id];
    int fd = published_fd(slot);
    if (fd >= 0) {
        (void)fcntl(fd, F_SETLEASE, F_UNLCK); /* closing the fd would release it too */
    }
    unpublish_and_free(slot);
    if (fd >= 0) {
        close(fd);
    }
    close(slot->event_fd);
    slot->counter = NULL;
    atomic_store(&slot->claimed, 0);
    return 0;
}
