/* Allocator stress across threads: many small malloc/free, realloc that grows and shrinks (its
 * contents must survive), calloc (must be zeroed), and blocks above 128 KiB, which both glibc and
 * musl serve with mmap/munmap rather than from the heap. All sizes come from a fixed-seed
 * generator per thread, so the checksum does not depend on interleaving or on addresses. */
#include "guest.h"
#include <pthread.h>

#define NTHREADS 4
#define OPS 20000
#define SLOTS 256

struct block {
    unsigned char *p;
    size_t len;
    unsigned char fill;
};

static int intact(const struct block *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->p[i] != (unsigned char)(b->fill + i))
            return 0;
    return 1;
}

static void fill(struct block *b, size_t from)
{
    for (size_t i = from; i < b->len; i++)
        b->p[i] = (unsigned char)(b->fill + i);
}

static void *worker(void *arg)
{
    uint64_t seed = 12345 + (uint64_t)(long)arg;
    struct block slot[SLOTS] = {{0}};
    uint64_t h = FNV_SEED;
    for (int op = 0; op < OPS; op++) {
        uint32_t r = lcg_next(&seed);
        struct block *b = &slot[r % SLOTS];
        if (b->p) {
            CHECK("malloc", intact(b));
            h = fnv1a(h, b->p, b->len < 64 ? b->len : 64);
        }
        switch ((r >> 8) % 8) {
        case 0: /* grow or shrink in place of a free + malloc */
            if (b->p) {
                size_t old = b->len;
                b->len = 1 + lcg_next(&seed) % 8192;
                b->p = realloc(b->p, b->len);
                CHECK("malloc", b->p != NULL);
                for (size_t i = 0; i < (old < b->len ? old : b->len); i++)
                    CHECK("malloc", b->p[i] == (unsigned char)(b->fill + i));
                fill(b, old < b->len ? old : b->len);
                break;
            }
            /* fall through */
        case 1:
        case 2:
        case 3:
            free(b->p);
            b->len = 1 + lcg_next(&seed) % 4096;
            b->fill = (unsigned char)r;
            b->p = malloc(b->len);
            CHECK("malloc", b->p != NULL);
            fill(b, 0);
            break;
        case 4: {
            free(b->p);
            b->len = 1 + lcg_next(&seed) % 2048;
            b->p = calloc(b->len, 1);
            CHECK("malloc", b->p != NULL);
            for (size_t i = 0; i < b->len; i++)
                CHECK("malloc", b->p[i] == 0);
            b->fill = (unsigned char)(r >> 16);
            fill(b, 0);
            break;
        }
        case 5: {
            /* Now and then a block above the mmap threshold of both allocators. Only a few of its
             * pages are touched: each first touch is a page fault, which is costly in the VM. */
            if ((r >> 16) % 8 != 0)
                break;
            size_t len = (256u << 10) + lcg_next(&seed) % (1u << 20);
            unsigned char *big = malloc(len);
            CHECK("malloc", big != NULL);
            big[0] = 0xa5;
            big[len / 2] = 0x5a;
            big[len - 1] = 0x3c;
            CHECK("malloc", big[0] == 0xa5 && big[len / 2] == 0x5a && big[len - 1] == 0x3c);
            free(big);
            break;
        }
        default:
            free(b->p);
            b->p = NULL;
            b->len = 0;
            break;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slot[i].p)
            CHECK("malloc", intact(&slot[i]));
        free(slot[i].p);
    }
    return (void *)(uintptr_t)h;
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        CHECK("malloc", pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    uint64_t h = FNV_SEED;
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        uint64_t part = (uint64_t)(uintptr_t)ret;
        h = fnv1a(h, &part, sizeof part);
    }

    /* One buffer grown by realloc from 1 byte to 8 MiB, crossing into mmap on the way. */
    unsigned char *p = NULL;
    size_t len = 0;
    for (size_t next = 1; next <= (8u << 20); next *= 2) {
        p = realloc(p, next);
        CHECK("malloc", p != NULL);
        for (size_t i = 0; i < len; i++)
            CHECK("malloc", p[i] == (unsigned char)(i * 7));
        for (size_t i = len; i < next; i++)
            p[i] = (unsigned char)(i * 7);
        len = next;
    }
    h = fnv1a(h, p, len);
    free(p);
    printf("TOKEN malloc ok threads %d ops %d checksum %016llx\n", NTHREADS, OPS, (unsigned long long)h);
    return 0;
}
