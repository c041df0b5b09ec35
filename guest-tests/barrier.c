/* pthread barriers: threads alternate between writing their slot and reading everybody's, with a
 * barrier between the phases; exactly one thread per round gets PTHREAD_BARRIER_SERIAL_THREAD. */
#include "guest.h"
#include <pthread.h>

#define NTHREADS 4
#define ROUNDS 200

static pthread_barrier_t barrier;
static long slots[NTHREADS];
static long total;           /* written only by the serial thread of each round */
static int serial_count;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    long id = (long)arg;
    for (long r = 1; r <= ROUNDS; r++) {
        slots[id] = r * (id + 1);
        pthread_barrier_wait(&barrier);
        long seen = 0;
        for (int i = 0; i < NTHREADS; i++)
            seen += slots[i];
        CHECK("barrier", seen == r * (NTHREADS * (NTHREADS + 1) / 2));
        int rc = pthread_barrier_wait(&barrier); /* nobody writes a slot before all have read */
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD) {
            pthread_mutex_lock(&m);
            serial_count++;
            total += seen;
            pthread_mutex_unlock(&m);
        } else {
            CHECK("barrier", rc == 0);
        }
    }
    return NULL;
}

int main(void)
{
    CHECK("barrier", pthread_barrier_init(&barrier, NULL, NTHREADS) == 0);
    pthread_t t[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        CHECK("barrier", pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    printf("TOKEN barrier ok threads %d rounds %d serial %d total %ld\n", NTHREADS, ROUNDS, serial_count, total);
    return 0;
}
