/* Lock-order inversion inside a shared library: lockorder's design, with both pairs of locks taken by take_pair() of
 * libpair.so (guest-tests/lib/lockpair.c, built with -g), which the program finds through its DT_RUNPATH ($ORIGIN).
 * Built dynamically linked only (glibc-dynamic/ and musl-dynamic/). `insight analyze` must report the cycle
 * lock_a -> lock_b -> lock_a with both acquisitions at the library's marked lines: lines cover the libraries. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>

void take_pair(pthread_mutex_t *first, pthread_mutex_t *second, long *counter);

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t first_done;
static long counter;

static void *a_then_b(void *arg)
{
    (void)arg;
    take_pair(&lock_a, &lock_b, &counter);
    sem_post(&first_done);
    return NULL;
}

static void *b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&first_done);
    take_pair(&lock_b, &lock_a, &counter);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    CHECK("lockpairs", sem_init(&first_done, 0, 0) == 0);
    CHECK("lockpairs", pthread_create(&t1, NULL, a_then_b, NULL) == 0);
    CHECK("lockpairs", pthread_create(&t2, NULL, b_then_a, NULL) == 0);
    CHECK("lockpairs", pthread_join(t1, NULL) == 0);
    CHECK("lockpairs", pthread_join(t2, NULL) == 0);
    printf("TOKEN lockpairs counter %ld\n", counter);
    return 0;
}
