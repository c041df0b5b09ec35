/* Thread-local storage: initialized (.tdata) and zeroed (.tbss) __thread variables must be fresh
 * in every thread and private to it, i.e. the FS base is per thread. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>

#define NTHREADS 4

static __thread long counter;                 /* .tbss */
static __thread int seeded[4] = {7, 11, 13, 17}; /* .tdata */

static void *worker(void *arg)
{
    long id = (long)arg;
    CHECK("tls", counter == 0);
    CHECK("tls", seeded[0] == 7 && seeded[3] == 17);
    for (int i = 0; i < 1000; i++) {
        counter += id + 1;
        seeded[i % 4] += 1;
        if (i % 100 == 0)
            sched_yield();
    }
    CHECK("tls", counter == 1000 * (id + 1));
    CHECK("tls", seeded[0] == 7 + 250 && seeded[3] == 17 + 250);
    return (void *)counter;
}

int main(void)
{
    counter = -1;
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        CHECK("tls", pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    CHECK("tls", counter == -1 && seeded[1] == 11);
    printf("TOKEN tls ok threads %d sum %ld\n", NTHREADS, sum);
    return 0;
}
