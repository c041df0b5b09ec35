/*
 * An actual deadlock, every time: two workers take two mutexes in opposite orders, and a barrier
 * makes sure each holds its first mutex before either asks for its second. Natively this hangs
 * forever; in the VM every thread ends up blocked in a futex wait and the VMM must report it.
 * Every line is flushed before the program blocks, so the output is the same either way.
 */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t audit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void say(const char *line)
{
    printf("%s\n", line);
    fflush(stdout);
}

static void *bookkeeper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&accounts_lock); /* MARK bookkeeper-holds */
    say("bookkeeper: holds the accounts lock, will want the audit lock");
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&audit_lock); /* blocks forever: the auditor holds it */ /* MARK bookkeeper-waits */
    say("bookkeeper: got both locks (not reached)");
    pthread_mutex_unlock(&audit_lock);
    pthread_mutex_unlock(&accounts_lock);
    return NULL;
}

static void *auditor(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&audit_lock); /* MARK auditor-holds */
    pthread_barrier_wait(&both_hold_one);
    /* Printed after the barrier, so always after the bookkeeper's line. */
    say("auditor: holds the audit lock, will want the accounts lock");
    pthread_mutex_lock(&accounts_lock); /* blocks forever: the bookkeeper holds it */ /* MARK auditor-waits */
    say("auditor: got both locks (not reached)");
    pthread_mutex_unlock(&accounts_lock);
    pthread_mutex_unlock(&audit_lock);
    return NULL;
}

int main(void)
{
    say("main: starting a bookkeeper and an auditor that lock in opposite orders");
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_t b, a;
    pthread_create(&b, NULL, bookkeeper, NULL);
    pthread_create(&a, NULL, auditor, NULL);
    pthread_join(b, NULL);
    pthread_join(a, NULL);
    say("main: both finished (not reached)");
    return 0;
}
