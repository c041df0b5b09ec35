/* An actual deadlock beside a thread that still runs: two workers take two mutexes in opposite
 * orders, and a barrier makes each hold its first mutex before either asks for its second, so the
 * deadlock always forms; meanwhile main polls a flag that never gets set, sleeping 1 ms between
 * polls (nanosleep), so it never blocks for good. Natively this hangs forever. In the VM the run
 * must end as soon as the second worker blocks: the wait-for cycle of the two workers over the
 * two mutexes, with main listed apart as still running.
 *
 * The mutexes are error-checking by default: both glibc and musl keep the owner's tid in the lock
 * word of those, so the VMM finds the cycle in either sync mode. Arguments:
 *   normal     default mutexes instead (musl's lock word then says "taken" but not by whom: the
 *              VMM knows the owner from the lock calls, in --mode locks only)
 *   timedjoin  main waits in pthread_timedjoin_np with a 10 ms timeout, again and again, instead
 *              of polling with nanosleep
 * Every line is flushed before the program blocks, so the output is the same natively and in the VM. */
#include "guest.h"
#include <pthread.h>
#include <time.h>

static pthread_mutex_t ledger_lock;
static pthread_mutex_t journal_lock;
static pthread_barrier_t both_hold_one;
static volatile int done;

static void say(const char *line)
{
    printf("%s\n", line);
    fflush(stdout);
}

static void *clerk(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ledger_lock); /* MARK clerk-holds */
    say("clerk: holds the ledger, will want the journal");
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&journal_lock); /* MARK clerk-waits */
    say("clerk: got both (not reached)");
    done = 1;
    return NULL;
}

static void *auditor(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&journal_lock); /* MARK auditor-holds */
    pthread_barrier_wait(&both_hold_one);
    /* Printed after the barrier, so always after the clerk's line. */
    say("auditor: holds the journal, will want the ledger");
    pthread_mutex_lock(&ledger_lock); /* MARK auditor-waits */
    say("auditor: got both (not reached)");
    done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    int normal = 0, timedjoin = 0;
    for (int i = 1; i < argc; i++) {
        normal |= strcmp(argv[i], "normal") == 0;
        timedjoin |= strcmp(argv[i], "timedjoin") == 0;
    }
    pthread_mutexattr_t attr;
    CHECK("deadlockpoll", pthread_mutexattr_init(&attr) == 0);
    CHECK("deadlockpoll", pthread_mutexattr_settype(&attr, normal ? PTHREAD_MUTEX_DEFAULT
                                                                  : PTHREAD_MUTEX_ERRORCHECK) == 0);
    CHECK("deadlockpoll", pthread_mutex_init(&ledger_lock, &attr) == 0);
    CHECK("deadlockpoll", pthread_mutex_init(&journal_lock, &attr) == 0);
    CHECK("deadlockpoll", pthread_barrier_init(&both_hold_one, NULL, 2) == 0);
    say("main: a clerk and an auditor lock in opposite orders; main keeps running");
    pthread_t c, a;
    CHECK("deadlockpoll", pthread_create(&c, NULL, clerk, NULL) == 0);
    CHECK("deadlockpoll", pthread_create(&a, NULL, auditor, NULL) == 0);
    while (!done) {
        if (timedjoin) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 10 * 1000 * 1000;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_timedjoin_np(c, NULL, &until) == 0)
                break;
        } else {
            struct timespec ms = { 0, 1000 * 1000 };
            nanosleep(&ms, NULL); /* MARK main-polls */
        }
    }
    say("main: the workers finished (not reached)");
    return 0;
}
