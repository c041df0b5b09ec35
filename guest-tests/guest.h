/* Small shared pieces of the guest tests. Everything here is deterministic and libc-neutral:
 * the tests are built for glibc and musl, and both builds must print the same lines. */
#ifndef GUEST_H
#define GUEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A failed self-check prints one line naming the test and the check, then exits 1, so that a
 * harness comparing exit status and TOKEN lines sees a clear difference. */
#define CHECK(test, cond)                                                                      \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            printf("FAIL %s: %s (%s:%d)\n", (test), #cond, __FILE__, __LINE__);                \
            fflush(stdout);                                                                    \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

/* strerror() texts differ between glibc and musl; the symbolic name does not. */
static inline const char *errname(int e)
{
    switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPIPE: return "EPIPE";
    case EEXIST: return "EEXIST";
    case EOVERFLOW: return "EOVERFLOW";
    case ESRCH: return "ESRCH";
    case ECHILD: return "ECHILD";
    default: return "E?";
    }
}

/* 64-bit FNV-1a: a checksum the harness can compare without caring how the data was produced. */
static inline uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV_SEED 0xcbf29ce484222325ULL

/* Per-thread pseudo-random numbers with a fixed seed, so results do not depend on interleaving. */
static inline uint32_t lcg_next(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

#endif
