/* sigqueue and pthread_sigqueue (rt_sigqueueinfo, rt_tgsigqueueinfo): a real-time signal carries its value and
 * si_code SI_QUEUE, queued once per call (three calls, three signals, in order), taken by sigwaitinfo while blocked,
 * or delivered to an SA_SIGINFO handler of the thread it was sent to; a signal to a process that is not there is ESRCH and a bad
 * signal number EINVAL. Every line is the same natively, with glibc and with musl. */
#include "guest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int handled_value = -1, handled_code;
static volatile sig_atomic_t done;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    handled_value = si->si_value.sival_int;
    handled_code = si->si_code;
}

static void *worker(void *arg)
{
    (void)arg;
    while (handled_value < 0) {
        usleep(1000);
    }
    done = 1;
    return NULL;
}

int main(void)
{
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    CHECK("block", sigprocmask(SIG_BLOCK, &rt, NULL) == 0);
    for (int i = 1; i <= 3; i++) {
        union sigval v = { .sival_int = 100 * i };
        CHECK("sigqueue", sigqueue(getpid(), SIGRTMIN, v) == 0);
    }
    for (int i = 0; i < 3; i++) {
        siginfo_t si;
        int sig = sigwaitinfo(&rt, &si);
        printf("sigwaitinfo: SIGRTMIN %d, SI_QUEUE %d, pid ours %d, value %d\n", sig == SIGRTMIN, si.si_code == SI_QUEUE,
               si.si_pid == getpid(), si.si_value.sival_int);
    }
    union sigval v = { .sival_int = 1 };
    int r = sigqueue(0x7fffffff, SIGRTMIN, v); /* above any pid_max: no such process, natively either */
    printf("another pid: %d %s\n", r, errname(errno));
    r = sigqueue(getpid(), 99, v);
    printf("signal 99: %d %s\n", r, errname(errno));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    CHECK("sigaction", sigaction(SIGRTMIN + 1, &sa, NULL) == 0);
    pthread_t t;
    CHECK("pthread_create", pthread_create(&t, NULL, worker, NULL) == 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGRTMIN + 1;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_value.sival_int = 4711;
    long rr = syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGRTMIN + 1, &si);
    printf("rt_tgsigqueueinfo to this thread: %ld, handler got value %d, SI_QUEUE %d\n", rr, handled_value,
           handled_code == SI_QUEUE);
    pthread_join(t, NULL);
    printf("TOKEN sigqueue ok\n");
    return 0;
}
