/* The inversion of lockorder.c, but main joins the first thread before it creates the second:
 * their lock orders disagree, yet the two threads can never run at the same time, so `insight
 * analyze` must filter the cycle lock_a -> lock_b -> lock_a out as ordered by create/join (and for
 * no other reason). */
#include "guest.h"
#include <pthread.h>

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

static void *take_b_then_a(void *arg)
{
    (void)arg;
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
    CHECK("lockjoin", pthread_create(&t1, NULL, take_a_then_b, NULL) == 0);
    CHECK("lockjoin", pthread_join(t1, NULL) == 0);
    CHECK("lockjoin", pthread_create(&t2, NULL, take_b_then_a, NULL) == 0);
    CHECK("lockjoin", pthread_join(t2, NULL) == 0);
    printf("TOKEN lockjoin counter %ld\n", counter);
    return 0;
}
