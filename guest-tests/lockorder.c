/* Lock-order inversion, a potential deadlock that never happens here: the first thread takes
 * lock_a then lock_b, the second lock_b then lock_a, and a semaphore makes the second wait until
 * the first is done, so the run always ends. Both threads exist at once (neither is joined before
 * the other is created), so `insight analyze` must report the cycle lock_a -> lock_b -> lock_a with
 * the file:line of each pthread_mutex_lock call marked below (the accuracy test reads the markers). */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t first_done;
static long counter;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* MARK ab-first */
    pthread_mutex_lock(&lock_b); /* MARK ab-second */
    counter++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    sem_post(&first_done);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&first_done);
    pthread_mutex_lock(&lock_b); /* MARK ba-first */
    pthread_mutex_lock(&lock_a); /* MARK ba-second */
    counter++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    CHECK("lockorder", sem_init(&first_done, 0, 0) == 0);
    CHECK("lockorder", pthread_create(&t1, NULL, take_a_then_b, NULL) == 0);
    CHECK("lockorder", pthread_create(&t2, NULL, take_b_then_a, NULL) == 0);
    CHECK("lockorder", pthread_join(t1, NULL) == 0);
    CHECK("lockorder", pthread_join(t2, NULL) == 0);
    printf("TOKEN lockorder counter %ld\n", counter);
    return 0;
}
