/* A lock-order cycle of three locks over three threads, a potential deadlock that never happens
 * here: the first thread takes lock_a then lock_b, the second lock_b then lock_c, the third lock_c
 * then lock_a, and semaphores run them one after the other, so the run always ends. All three
 * exist at once (none is joined before the last is created), so `insight analyze` must report the
 * cycle lock_a -> lock_b -> lock_c -> lock_a, each edge at the pthread_mutex_lock calls marked
 * below (the accuracy test reads the markers). */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;
static sem_t first_done, second_done;
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

static void *take_b_then_c(void *arg)
{
    (void)arg;
    sem_wait(&first_done);
    pthread_mutex_lock(&lock_b); /* MARK bc-first */
    pthread_mutex_lock(&lock_c); /* MARK bc-second */
    counter++;
    pthread_mutex_unlock(&lock_c);
    pthread_mutex_unlock(&lock_b);
    sem_post(&second_done);
    return NULL;
}

static void *take_c_then_a(void *arg)
{
    (void)arg;
    sem_wait(&second_done);
    pthread_mutex_lock(&lock_c); /* MARK ca-first */
    pthread_mutex_lock(&lock_a); /* MARK ca-second */
    counter++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_c);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2, t3;
    CHECK("lockcycle3", sem_init(&first_done, 0, 0) == 0);
    CHECK("lockcycle3", sem_init(&second_done, 0, 0) == 0);
    CHECK("lockcycle3", pthread_create(&t1, NULL, take_a_then_b, NULL) == 0);
    CHECK("lockcycle3", pthread_create(&t2, NULL, take_b_then_c, NULL) == 0);
    CHECK("lockcycle3", pthread_create(&t3, NULL, take_c_then_a, NULL) == 0);
    CHECK("lockcycle3", pthread_join(t1, NULL) == 0);
    CHECK("lockcycle3", pthread_join(t2, NULL) == 0);
    CHECK("lockcycle3", pthread_join(t3, NULL) == 0);
    printf("TOKEN lockcycle3 counter %ld\n", counter);
    return 0;
}
