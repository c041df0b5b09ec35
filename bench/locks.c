/* bench: four threads hammering one mutex: futex traffic and thread switches. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter, per_thread;

static void *worker(void *arg) {
    (void)arg;
    for (long i = 0; i < per_thread; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv) {
    per_thread = argc > 1 ? atol(argv[1]) : 200000L;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("locks %ld\n", counter);
    return counter == 4 * per_thread ? 0 : 1;
}
