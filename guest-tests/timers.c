/* Timers: alarm and setitimer (SIGALRM), POSIX timers (a signal with SI_TIMER and its value, and SIGEV_THREAD, which
 * the libcs build on SIGEV_THREAD_ID and a helper thread), and timerfd (read, poll, a non-blocking read before the
 * expiry). Each wait ends by the timer and no signal can come before its wait starts (blocked until then), and what
 * must not have expired yet has a minute to go, so every line is the same natively, with glibc and with musl,
 * whatever the machine's speed. */
#include "guest.h"
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static sem_t fired;
static volatile int thread_value;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void on_thread_timer(union sigval v)
{
    thread_value = v.sival_int;
    sem_post(&fired);
}

static struct itimerval every(long first_us, long interval_us)
{
    struct itimerval it = { { interval_us / 1000000, interval_us % 1000000 }, { first_us / 1000000, first_us % 1000000 } };
    return it;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    CHECK("sigaction", sigaction(SIGALRM, &sa, NULL) == 0);

    /* alarm: the old one's seconds, rounded */
    unsigned old = alarm(10);
    unsigned left = alarm(0);
    printf("alarm: first %u, then %u left of 10\n", old, left);

    /* a one-shot ITIMER_REAL ends sigsuspend (SIGALRM blocked until then, so it cannot come too early) */
    sigset_t alrm, none;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigemptyset(&none);
    CHECK("block", sigprocmask(SIG_BLOCK, &alrm, NULL) == 0);
    struct itimerval it = every(60000000, 0), cur;
    CHECK("setitimer", setitimer(ITIMER_REAL, &it, NULL) == 0);
    CHECK("getitimer", getitimer(ITIMER_REAL, &cur) == 0);
    int armed = cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0;
    int at_most = cur.it_value.tv_sec < 60 || (cur.it_value.tv_sec == 60 && cur.it_value.tv_usec == 0);
    printf("getitimer: armed %d, at most 60 s %d, interval %ld us\n", armed, at_most, (long)cur.it_interval.tv_usec);
    it = every(20000, 0);
    CHECK("setitimer", setitimer(ITIMER_REAL, &it, NULL) == 0);
    int r = sigsuspend(&none);
    printf("sigsuspend: %d %s, SIGALRM handled %d\n", r, errname(errno), alarms);
    CHECK("unblock", sigprocmask(SIG_UNBLOCK, &alrm, NULL) == 0);
    CHECK("getitimer", getitimer(ITIMER_REAL, &cur) == 0);
    printf("after it: armed %d\n", cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0);

    /* a periodic one, while the thread only makes syscalls */
    alarms = 0;
    it = every(5000, 5000);
    CHECK("setitimer", setitimer(ITIMER_REAL, &it, NULL) == 0);
    while (alarms < 5) {
        getppid();
    }
    it = every(0, 0);
    CHECK("setitimer", setitimer(ITIMER_REAL, &it, &cur) == 0);
    /* how many calls it made is the machine's speed (a slow one may take all 5 at the sigreturns), not printed */
    printf("periodic: 5 SIGALRM while making syscalls, interval was %ld us\n", (long)cur.it_interval.tv_usec);

    /* a POSIX timer with a real-time signal and a value, taken by sigwaitinfo */
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN + 1);
    CHECK("block", sigprocmask(SIG_BLOCK, &rt, NULL) == 0);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN + 1;
    sev.sigev_value.sival_int = 4242;
    timer_t timer;
    CHECK("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0);
    struct itimerspec its = { { 0, 0 }, { 0, 10000000 } }, got;
    CHECK("timer_settime", timer_settime(timer, 0, &its, NULL) == 0);
    siginfo_t si;
    int sig = sigwaitinfo(&rt, &si);
    printf("posix timer: %s, si_code SI_TIMER %d, value %d\n", sig == SIGRTMIN + 1 ? "SIGRTMIN+1" : "other",
           si.si_code == SI_TIMER, si.si_value.sival_int);
    CHECK("timer_gettime", timer_gettime(timer, &got) == 0);
    printf("posix timer after it: armed %d\n", got.it_value.tv_sec > 0 || got.it_value.tv_nsec > 0);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    its.it_value.tv_sec = now.tv_sec;
    its.it_value.tv_nsec = now.tv_nsec + 5000000;
    if (its.it_value.tv_nsec >= 1000000000) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000;
    }
    timer_t wall;
    CHECK("timer_create", timer_create(CLOCK_REALTIME, &sev, &wall) == 0);
    CHECK("timer_settime", timer_settime(wall, TIMER_ABSTIME, &its, NULL) == 0);
    sig = sigwaitinfo(&rt, &si);
    printf("absolute realtime timer: %s\n", sig == SIGRTMIN + 1 ? "SIGRTMIN+1" : "other");
    CHECK("timer_delete", timer_delete(timer) == 0 && timer_delete(wall) == 0);

    /* SIGEV_THREAD: the callback runs in a thread of the libc's */
    CHECK("sem_init", sem_init(&fired, 0, 0) == 0);
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = on_thread_timer;
    sev.sigev_value.sival_int = 77;
    CHECK("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0);
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 5000000;
    CHECK("timer_settime", timer_settime(timer, 0, &its, NULL) == 0);
    while (sem_wait(&fired) != 0) {
    }
    printf("SIGEV_THREAD: callback with value %d\n", thread_value);
    CHECK("timer_delete", timer_delete(timer) == 0);

    /* timerfd */
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    CHECK("timerfd_create", fd >= 0);
    uint64_t n = 0;
    struct itimerspec tfd = { { 0, 0 }, { 60, 0 } };
    CHECK("timerfd_settime", timerfd_settime(fd, 0, &tfd, NULL) == 0);
    ssize_t got_bytes = read(fd, &n, sizeof n);
    printf("timerfd: non-blocking read before the expiry %zd %s\n", got_bytes, errname(errno));
    tfd.it_interval.tv_nsec = tfd.it_value.tv_nsec = 2000000;
    tfd.it_value.tv_sec = 0;
    CHECK("timerfd_settime", timerfd_settime(fd, 0, &tfd, NULL) == 0);
    struct pollfd pfd = { fd, POLLIN, 0 };
    int ready = poll(&pfd, 1, -1);
    got_bytes = read(fd, &n, sizeof n);
    printf("timerfd: poll %d revents POLLIN %d, read %zd bytes, expirations at least 1: %d\n", ready,
           (pfd.revents & POLLIN) != 0, got_bytes, n >= 1);
    ssize_t shortread = read(fd, &n, 4);
    int e1 = errno;
    ssize_t written = write(fd, &n, sizeof n);
    printf("timerfd: a short read %zd %s, a write %zd %s\n", shortread, errname(e1), written, errname(errno));
    CHECK("close", close(fd) == 0);
    printf("TOKEN timers ok\n");
    return 0;
}
