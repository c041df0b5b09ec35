/* The inversion of lockorder.c inside one thread: a worker takes lock_a then lock_b, lets both go,
 * then takes lock_b then lock_a. No other thread takes them, and a thread cannot wait for itself
 * across two distinct locks, so `insight analyze` must filter the cycle lock_a -> lock_b -> lock_a
 * out as single-thread (and for no other reason). */
#include "guest.h"
#include <pthread.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *both_orders(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* MARK ab-first */
    pthread_mutex_lock(&lock_b); /* MARK ab-second */
    counter++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_lock(&lock_b); /* MARK ba-first */
    pthread_mutex_lock(&lock_a); /* MARK ba-second */
    counter++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    CHECK("locksingle", pthread_create(&t, NULL, both_orders, NULL) == 0);
    CHECK("locksingle", pthread_join(t, NULL) == 0);
    printf("TOKEN locksingle counter %ld\n", counter);
    return 0;
}
