/* A shared library built with -g (guest-tests' Makefile: libpair.so beside lockpairs): its function takes two locks
 * in the order given, so a lock-order cycle formed through it is reported at these lines, the library's own. */
#include <pthread.h>

void take_pair(pthread_mutex_t *first, pthread_mutex_t *second, long *counter);

void take_pair(pthread_mutex_t *first, pthread_mutex_t *second, long *counter)
{
    pthread_mutex_lock(first);  /* MARK pair-first */
    pthread_mutex_lock(second); /* MARK pair-second */
    ++*counter;
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}
