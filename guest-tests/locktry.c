/* The inversion of lockorder.c, but the second thread only tries lock_a while it holds lock_b,
 * and backs off (releases lock_b and starts again) when the try fails: it never waits holding a
 * lock, so there is no potential deadlock and `insight analyze` must report none. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* MARK ab-first */
    pthread_mutex_lock(&lock_b); /* MARK ab-second */
    counter++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_try_a(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock_b); /* MARK ba-first */
        if (pthread_mutex_trylock(&lock_a) == 0) /* MARK ba-try */
            break;
        pthread_mutex_unlock(&lock_b);
        sched_yield();
    }
    counter++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    CHECK("locktry", pthread_create(&t1, NULL, take_a_then_b, NULL) == 0);
    CHECK("locktry", pthread_create(&t2, NULL, take_b_then_try_a, NULL) == 0);
    CHECK("locktry", pthread_join(t1, NULL) == 0);
    CHECK("locktry", pthread_join(t2, NULL) == 0);
    printf("TOKEN locktry counter %ld\n", counter);
    return 0;
}
