/* Reader-writer lock: writers keep two counters equal, readers check they always see them equal;
 * try-locks must report EBUSY while the other side holds the lock. */
#include "guest.h"
#include <pthread.h>

#define READERS 3
#define WRITERS 2
static long writes = 5000; /* per writer; argv[1] overrides both (a smaller workload, same checks) */
static long reads = 5000; /* per reader */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile long a, b;
static long mismatches;
static pthread_mutex_t mismatch_lock = PTHREAD_MUTEX_INITIALIZER;

static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < writes; i++) {
        pthread_rwlock_wrlock(&rw);
        a++;
        for (volatile int k = 0; k < 20; k++)
            ;
        b++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    long bad = 0;
    for (int i = 0; i < reads; i++) {
        pthread_rwlock_rdlock(&rw);
        if (a != b)
            bad++;
        pthread_rwlock_unlock(&rw);
    }
    pthread_mutex_lock(&mismatch_lock);
    mismatches += bad;
    pthread_mutex_unlock(&mismatch_lock);
    return NULL;
}

static int probe_rd, probe_wr;

/* Runs while main holds the lock; a second thread, because a same-thread retry may legally
 * report EDEADLK instead of EBUSY. */
static void *probe(void *arg)
{
    (void)arg;
    probe_rd = pthread_rwlock_tryrdlock(&rw);
    if (probe_rd == 0)
        pthread_rwlock_unlock(&rw);
    probe_wr = pthread_rwlock_trywrlock(&rw);
    if (probe_wr == 0)
        pthread_rwlock_unlock(&rw);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        writes = atol(argv[1]);
        reads = writes;
    }
    pthread_t t[READERS + WRITERS];
    for (int i = 0; i < WRITERS; i++)
        CHECK("rwlock", pthread_create(&t[i], NULL, writer, NULL) == 0);
    for (int i = 0; i < READERS; i++)
        CHECK("rwlock", pthread_create(&t[WRITERS + i], NULL, reader, NULL) == 0);
    for (int i = 0; i < READERS + WRITERS; i++)
        pthread_join(t[i], NULL);
    printf("TOKEN rwlock writes %ld %ld mismatches %ld\n", a, b, mismatches);

    pthread_t p;
    pthread_rwlock_wrlock(&rw);
    pthread_create(&p, NULL, probe, NULL);
    pthread_join(p, NULL);
    pthread_rwlock_unlock(&rw);
    printf("TOKEN rwlock while write-locked: tryrdlock %s trywrlock %s\n", errname(probe_rd), errname(probe_wr));

    pthread_rwlock_rdlock(&rw);
    pthread_create(&p, NULL, probe, NULL);
    pthread_join(p, NULL);
    pthread_rwlock_unlock(&rw);
    printf("TOKEN rwlock while read-locked: tryrdlock %s trywrlock %s\n", errname(probe_rd), errname(probe_wr));
    return 0;
}
