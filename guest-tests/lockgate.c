/* The inversion of lockorder.c, but every thread holds gate_lock around both of its nested
 * acquisitions: only one thread at a time can be inside, so the cycle lock_a -> lock_b -> lock_a
 * can never close. `insight analyze` must filter it out and name gate_lock as the reason (the
 * accuracy test reads the markers). */
#include "guest.h"
#include <pthread.h>

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate_lock); /* MARK ab-gate */
    pthread_mutex_lock(&lock_a); /* MARK ab-first */
    pthread_mutex_lock(&lock_b); /* MARK ab-second */
    counter++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&gate_lock);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate_lock); /* MARK ba-gate */
    pthread_mutex_lock(&lock_b); /* MARK ba-first */
    pthread_mutex_lock(&lock_a); /* MARK ba-second */
    counter++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&gate_lock);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    CHECK("lockgate", pthread_create(&t1, NULL, take_a_then_b, NULL) == 0);
    CHECK("lockgate", pthread_create(&t2, NULL, take_b_then_a, NULL) == 0);
    CHECK("lockgate", pthread_join(t1, NULL) == 0);
    CHECK("lockgate", pthread_join(t2, NULL) == 0);
    printf("TOKEN lockgate counter %ld\n", counter);
    return 0;
}
