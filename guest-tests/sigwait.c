/* Synchronous signals: sigwait, sigwaitinfo and sigtimedwait take signals every thread blocks (a process signal
 * by kill with si_code SI_USER, a thread signal by pthread_kill, si_pid and si_uid of the sender), a raise()d
 * real-time signal queued twice is taken twice (raw, SI_TKILL), a timeout that expires is EAGAIN (a zero one at
 * once), a bad sigsetsize or timespec is EINVAL, a bad set or siginfo pointer EFAULT (the signal is taken even so),
 * and a handled signal outside the set ends a raw rt_sigtimedwait with EINTR (musl's sigtimedwait retries EINTR,
 * so the raw call). Then a handled signal interrupts a thread blocked in read() of an
 * empty pipe, in poll() and in nanosleep(): without SA_RESTART the read is EINTR; with SA_RESTART it is restarted
 * and completes when a byte comes; poll and nanosleep are EINTR either way (nanosleep with the time left in rem).
 * The sender repeats the signal every millisecond until the call returns, so a signal that comes before the thread
 * blocks changes nothing printed. Every line is the same natively, with glibc and with musl. */
#include "guest.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled, done, in_call;
static volatile sig_atomic_t during_call;
static int fds[2];

static void on_signal(int sig)
{
    (void)sig;
    handled++;
    if (in_call) {
        during_call++;
    }
}

static void install(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK("sigaction", sigaction(sig, &sa, NULL) == 0);
}

static void pause_ms(long ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static const char *signame(int sig)
{
    if (sig == SIGUSR1) return "SIGUSR1";
    if (sig == SIGUSR2) return "SIGUSR2";
    if (sig == SIGRTMIN + 1) return "SIGRTMIN+1";
    if (sig == SIGWINCH) return "SIGWINCH";
    return "other";
}

/* glibc's sigtimedwait folds SI_TKILL into SI_USER and musl's does not: through libc, both print as SI_USER; the raw
 * rt_sigtimedwait shows what the kernel wrote. */
static void print_info(const char *what, int r, const siginfo_t *si, int raw)
{
    int c = !raw && si->si_code == SI_TKILL ? SI_USER : si->si_code;
    const char *code = c == SI_USER ? "SI_USER" : c == SI_TKILL ? "SI_TKILL"
            : si->si_code == SI_QUEUE ? "SI_QUEUE" : "other";
    printf("%s: %s si_signo %s si_code %s si_pid %s si_uid %s\n", what, signame(r), signame(si->si_signo), code,
           si->si_pid == getpid() ? "self" : "other", si->si_uid == getuid() ? "self" : "other");
}

/* ---- sigwait family: SIGUSR1, SIGUSR2 and SIGRTMIN+1 are blocked in every thread. */

static void *sigwait_thread(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    int sig = 0;
    int r = sigwait(&set, &sig);
    printf("sigwait: %d %s\n", r, signame(sig));
    return NULL;
}

static void *sigwaitinfo_thread(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    siginfo_t si;
    int r = sigwaitinfo(&set, &si);
    print_info("sigwaitinfo", r, &si, 0);
    return NULL;
}

static void *sigtimedwait_thread(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    siginfo_t si;
    struct timespec ts = { 30, 0 };
    int r = sigtimedwait(&set, &si, &ts);
    print_info("sigtimedwait", r, &si, 0);
    return NULL;
}

/* A raw rt_sigtimedwait for SIGUSR1 that a handled SIGWINCH (not blocked here) interrupts. */
static void *eintr_thread(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    struct timespec ts = { 30, 0 };
    in_call = 1;
    long r = syscall(SYS_rt_sigtimedwait, &set, NULL, &ts, 8);
    int e = errno;
    in_call = 0;
    done = 1;
    printf("rt_sigtimedwait interrupted: %ld %s\n", r, r < 0 ? errname(e) : "-");
    return NULL;
}

static void run(void *(*body)(void *), int sig, int to_thread)
{
    pthread_t t;
    CHECK("create", pthread_create(&t, NULL, body, NULL) == 0);
    if (to_thread) {
        CHECK("pthread_kill", pthread_kill(t, sig) == 0);
    } else {
        CHECK("kill", kill(getpid(), sig) == 0);
    }
    CHECK("join", pthread_join(t, NULL) == 0);
}

/* Sends sig to t every millisecond until done. */
static void pester(pthread_t t, int sig, int until_during)
{
    while (!done && (until_during == 0 || during_call < until_during)) {
        CHECK("pthread_kill", pthread_kill(t, sig) == 0);
        pause_ms(1);
    }
}

static void sigwaits(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN + 1);
    CHECK("block", pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);

    run(sigwait_thread, SIGUSR1, 0);
    run(sigwaitinfo_thread, SIGUSR2, 0);
    run(sigtimedwait_thread, SIGUSR2, 1);

    /* Queued real-time signals, then nothing: a short timeout that expires, and a zero one. */
    CHECK("raise", raise(SIGRTMIN + 1) == 0);
    CHECK("raise", raise(SIGRTMIN + 1) == 0);
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN + 1);
    siginfo_t si;
    struct timespec ts = { 0, 20 * 1000000L };
    for (int i = 0; i < 3; i++) {
        int r = (int)syscall(SYS_rt_sigtimedwait, &rt, &si, &ts, 8);
        int e = errno;
        if (r > 0) {
            print_info("queued (raw)", r, &si, 1);
        } else {
            printf("queued: %d %s (the timeout expired)\n", r, errname(e));
        }
    }
    struct timespec zero = { 0, 0 };
    int r = sigtimedwait(&rt, &si, &zero);
    printf("zero timeout: %d %s\n", r, r < 0 ? errname(errno) : "-");
    r = (int)syscall(SYS_rt_sigtimedwait, &rt, NULL, &zero, 16);
    printf("sigsetsize 16: %d %s\n", r, r < 0 ? errname(errno) : "-");
    struct timespec bad = { 0, 1000000000L };
    r = (int)syscall(SYS_rt_sigtimedwait, &rt, NULL, &bad, 8);
    printf("bad timeout: %d %s\n", r, r < 0 ? errname(errno) : "-");
    r = (int)syscall(SYS_rt_sigtimedwait, (void *)8, NULL, &zero, 8);
    printf("bad set: %d %s\n", r, r < 0 ? errname(errno) : "-");

    /* A pending one taken with a bad siginfo pointer: EFAULT, and the signal is gone, as in Linux. */
    CHECK("raise", raise(SIGUSR1) == 0);
    r = (int)syscall(SYS_rt_sigtimedwait, &set, (void *)8, &zero, 8);
    printf("bad siginfo: %d %s\n", r, r < 0 ? errname(errno) : "-");
    sigset_t pending;
    sigpending(&pending);
    printf("SIGUSR1 still pending: %s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no");

    install(SIGWINCH, 0);
    pthread_t t;
    done = 0;
    handled = 0;
    CHECK("create", pthread_create(&t, NULL, eintr_thread, NULL) == 0);
    pester(t, SIGWINCH, 0);
    CHECK("join", pthread_join(t, NULL) == 0);
    printf("its handler ran: %s\n", handled > 0 ? "yes" : "no");
}

/* ---- interrupted calls, SIGUSR1 handled (and not blocked in these threads). */

static int restart;

static void *read_thread(void *arg)
{
    (void)arg;
    char c = 0;
    in_call = 1;
    ssize_t r = read(fds[0], &c, 1);
    int e = errno;
    in_call = 0;
    done = 1;
    if (r < 0) {
        printf("read, %s: %zd %s\n", restart ? "SA_RESTART" : "no SA_RESTART", r, errname(e));
    } else {
        printf("read, %s: %zd '%c' (restarted and completed)\n", restart ? "SA_RESTART" : "no SA_RESTART", r, c);
    }
    return NULL;
}

static void *poll_thread(void *arg)
{
    (void)arg;
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    in_call = 1;
    int r = poll(&p, 1, -1);
    int e = errno;
    in_call = 0;
    done = 1;
    printf("poll, %s: %d %s\n", restart ? "SA_RESTART" : "no SA_RESTART", r, r < 0 ? errname(e) : "-");
    return NULL;
}

static void *sleep_thread(void *arg)
{
    (void)arg;
    struct timespec req = { 30, 0 }, rem = { -1, -1 };
    in_call = 1;
    int r = nanosleep(&req, &rem);
    int e = errno;
    in_call = 0;
    done = 1;
    int rem_ok = rem.tv_sec >= 0 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L
            && (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec <= 30;
    printf("nanosleep, %s: %d %s, rem in (0, 30 s]: %s\n", restart ? "SA_RESTART" : "no SA_RESTART", r,
           r < 0 ? errname(e) : "-", rem_ok ? "yes" : "no");
    return NULL;
}

static void interrupt(void *(*body)(void *), int flags, int write_after)
{
    restart = flags != 0;
    install(SIGUSR1, flags);
    done = 0;
    handled = 0;
    during_call = 0;
    in_call = 0;
    pthread_t t;
    CHECK("create", pthread_create(&t, NULL, body, NULL) == 0);
    if (write_after) {
        /* The read restarts after each signal: a few of them while it waits, then the byte it waits for. */
        pester(t, SIGUSR1, 3);
        CHECK("write", write(fds[1], "x", 1) == 1);
    } else {
        pester(t, SIGUSR1, 0);
    }
    CHECK("join", pthread_join(t, NULL) == 0);
    printf("  the handler ran: %s\n", handled > 0 ? "yes" : "no");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigwaits();

    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK("unblock", pthread_sigmask(SIG_UNBLOCK, &usr1, NULL) == 0);
    CHECK("pipe", pipe(fds) == 0);
    interrupt(read_thread, 0, 0);
    interrupt(read_thread, SA_RESTART, 1);
    interrupt(poll_thread, 0, 0);
    interrupt(poll_thread, SA_RESTART, 0);
    interrupt(sleep_thread, 0, 0);
    interrupt(sleep_thread, SA_RESTART, 0);
    printf("done\n");
    return 0;
}
