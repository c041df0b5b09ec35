/* Thousands of threads alive at once: each parks on a condition variable until all are created,
 * then all are released and joined. The VMM may cap the number of threads; then pthread_create
 * fails with EAGAIN and the test carries on with the ones it got. How many were created is printed
 * on a line the harness does not compare; the TOKEN line is about correctness only. */
#include "guest.h"
#include <pthread.h>

#define WANTED 5000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;
static int go;
static long arrived, ran;

static void *worker(void *arg)
{
    long id = (long)arg;
    pthread_mutex_lock(&m);
    arrived++;
    while (!go)
        pthread_cond_wait(&go_cv, &m);
    ran += id + 1;
    pthread_mutex_unlock(&m);
    return NULL;
}

static pthread_t threads[WANTED];

int main(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    long created = 0;
    int failure = 0;
    while (created < WANTED) {
        int rc = pthread_create(&threads[created], &attr, worker, (void *)created);
        if (rc != 0) {
            failure = rc;
            break;
        }
        created++;
    }
    pthread_attr_destroy(&attr);
    printf("created %ld of %d%s%s\n", created, WANTED, failure ? ", then " : "", failure ? errname(failure) : "");
    CHECK("manythreads", failure == 0 || failure == EAGAIN || failure == ENOMEM);
    CHECK("manythreads", created > 0);

    pthread_mutex_lock(&m);
    go = 1;
    pthread_cond_broadcast(&go_cv);
    pthread_mutex_unlock(&m);
    long joined = 0;
    for (long i = 0; i < created; i++) {
        CHECK("manythreads", pthread_join(threads[i], NULL) == 0);
        joined++;
    }
    CHECK("manythreads", arrived == created && joined == created);
    CHECK("manythreads", ran == created * (created + 1) / 2);
    printf("TOKEN manythreads ok: every created thread ran once and was joined\n");
    return 0;
}
