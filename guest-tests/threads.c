/* pthread_create/join and a counter under a mutex: the basic clone + futex path. */
#include "guest.h"
#include <pthread.h>

#define NTHREADS 4
static long iters = 10000; /* per thread; argv[1] overrides (a smaller workload, same checks) */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < iters; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    /* A distinct return value per thread proves join hands back the right thread's result. */
    return (void *)(id * 100 + 1);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        iters = atol(argv[1]);
    }
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        CHECK("threads", pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    long retsum = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        CHECK("threads", pthread_join(t[i], &ret) == 0);
        CHECK("threads", (long)ret == i * 100 + 1);
        retsum += (long)ret;
    }
    CHECK("threads", counter == (long)NTHREADS * iters);
    printf("joined %d threads, return values sum %ld\n", NTHREADS, retsum);
    printf("TOKEN threads ok %d %ld\n", NTHREADS, counter);
    return 0;
}
