/* bench: threads hammering one mutex: futex traffic and thread switches. argv[1]: lock pairs per thread (default
 * 200000); argv[2]: threads (default 4, at most 64). */
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
    int threads = argc > 2 ? atoi(argv[2]) : 4;
    if (threads < 1 || threads > 64) {
        fprintf(stderr, "threads: 1 to 64\n");
        return 2;
    }
    pthread_t t[64];
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    printf("locks %ld\n", counter);
    return counter == threads * per_thread ? 0 : 1;
}
