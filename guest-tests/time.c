/* Clocks and sleeps. The values themselves differ from run to run, so only facts are printed:
 * CLOCK_MONOTONIC never goes back, a 10 ms sleep takes at least 10 ms, the wall clock is after
 * 2020, and the different wall-clock calls agree. */
#include "guest.h"
#include <sys/time.h>
#include <time.h>

static long long ns(const struct timespec *ts)
{
    return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int main(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int backwards = 0;
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (ns(&b) < ns(&a))
            backwards++;
        a = b;
    }
    printf("TOKEN time monotonic %s\n", backwards ? "went backwards" : "non-decreasing");

    struct timespec req = {0, 10 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK("time", nanosleep(&req, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("TOKEN time nanosleep 10ms %s\n", ns(&b) - ns(&a) >= 10000000LL ? "ok" : "too short");

    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK("time", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("TOKEN time clock_nanosleep 10ms %s\n", ns(&b) - ns(&a) >= 10000000LL ? "ok" : "too short");

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 5 * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_nsec -= 1000000000L;
        deadline.tv_sec++;
    }
    CHECK("time", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("TOKEN time absolute sleep %s\n", ns(&b) >= ns(&deadline) ? "ok" : "woke early");

    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    printf("TOKEN time realtime after 2020 %s\n", rt.tv_sec > 1577836800 ? "yes" : "no");
    /* Taken a few microseconds apart, so they agree to within a couple of seconds. */
    long long d1 = (long long)tv.tv_sec - rt.tv_sec, d2 = (long long)t - rt.tv_sec;
    printf("TOKEN time gettimeofday and time agree %s\n", d1 >= 0 && d1 <= 2 && d2 >= 0 && d2 <= 2 ? "yes" : "no");
    return 0;
}
