/* Pipes between threads: a producer writes records and one write larger than the pipe (so it blocks until the
 * consumer makes room), the consumer reads to end of file; O_NONBLOCK gives EAGAIN at empty and at full (64 KiB);
 * a write without readers is EPIPE (SIGPIPE ignored); dup2 puts the pipe on stdout and back; fcntl and fstat. */
#include "guest.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORDS 300
#define BIG 100000

static int chan[2];

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 0; i < RECORDS; i++) {
        long rec[2] = { i, i * i };
        CHECK("pipes", write(chan[1], rec, sizeof rec) == sizeof rec);
    }
    static char big[BIG];
    for (int i = 0; i < BIG; i++) {
        big[i] = (char)(i % 251);
    }
    CHECK("pipes", write(chan[1], big, BIG) == BIG);
    CHECK("pipes", close(chan[1]) == 0);
    return NULL;
}

static long read_full(int fd, void *buf, long n)
{
    long done = 0;
    while (done < n) {
        long r = read(fd, (char *)buf + done, n - done);
        if (r <= 0) {
            return done;
        }
        done += r;
    }
    return done;
}

int main(void)
{
    CHECK("pipes", pipe(chan) == 0);
    int first = chan[0];
    printf("TOKEN pipes fds consecutive %d\n", chan[1] == chan[0] + 1);
    struct stat st;
    CHECK("pipes", fstat(chan[0], &st) == 0);
    printf("TOKEN pipes fifo %d\n", S_ISFIFO(st.st_mode) ? 1 : 0);
    pthread_t t;
    CHECK("pipes", pthread_create(&t, NULL, producer, NULL) == 0);
    long sum = 0, records = 0;
    for (long i = 0; i < RECORDS; i++) {
        long rec[2];
        CHECK("pipes", read_full(chan[0], rec, sizeof rec) == sizeof rec);
        CHECK("pipes", rec[0] == i && rec[1] == i * i);
        sum += rec[1];
        records++;
    }
    static char big[BIG];
    long got = read_full(chan[0], big, BIG);
    long bad = 0;
    for (long i = 0; i < got; i++) {
        bad += big[i] != (char)(i % 251);
    }
    char c;
    long eof = read(chan[0], &c, 1);
    CHECK("pipes", pthread_join(t, NULL) == 0);
    printf("TOKEN pipes records %ld sum %ld big %ld bad %ld eof %ld\n", records, sum, got, bad, eof);
    CHECK("pipes", close(chan[0]) == 0);

    int nb[2];
    CHECK("pipes", pipe2(nb, O_NONBLOCK | O_CLOEXEC) == 0);
    printf("TOKEN pipes lowest free %d\n", nb[0] == first);
    errno = 0;
    long r = read(nb[0], &c, 1);
    printf("TOKEN pipes empty %ld %s\n", r, errname(errno));
    printf("TOKEN pipes flags nonblock %d cloexec %d\n", (fcntl(nb[1], F_GETFL) & O_NONBLOCK) != 0,
           fcntl(nb[1], F_GETFD) == FD_CLOEXEC);
    static char page[4096];
    long capacity = 0;
    for (;;) {
        long w = write(nb[1], page, sizeof page);
        if (w < 0) {
            break;
        }
        capacity += w;
    }
    printf("TOKEN pipes full %ld %s\n", capacity, errname(errno));
    CHECK("pipes", fcntl(nb[0], F_SETFL, 0) == 0);
    printf("TOKEN pipes setfl nonblock %d\n", (fcntl(nb[0], F_GETFL) & O_NONBLOCK) != 0);

    signal(SIGPIPE, SIG_IGN);
    CHECK("pipes", close(nb[0]) == 0);
    errno = 0;
    r = write(nb[1], "x", 1);
    printf("TOKEN pipes no reader %ld %s\n", r, errname(errno));
    CHECK("pipes", close(nb[1]) == 0);

    int out[2];
    CHECK("pipes", pipe(out) == 0);
    fflush(stdout);
    int saved = dup(1);
    CHECK("pipes", saved >= 0);
    CHECK("pipes", dup2(out[1], 1) == 1);
    CHECK("pipes", write(1, "captured", 8) == 8);
    CHECK("pipes", dup2(saved, 1) == 1);
    CHECK("pipes", close(saved) == 0);
    CHECK("pipes", close(out[1]) == 0);
    char buf[32] = { 0 };
    r = read_full(out[0], buf, sizeof buf - 1);
    printf("TOKEN pipes dup2 %ld %s\n", r, buf);
    int d = fcntl(out[0], F_DUPFD_CLOEXEC, 10);
    printf("TOKEN pipes dupfd at least 10 %d cloexec %d\n", d >= 10, fcntl(d, F_GETFD));
    errno = 0;
    r = dup3(d, d, 0);
    printf("TOKEN pipes dup3 same %ld %s\n", r, errname(errno));
    CHECK("pipes", close(d) == 0 && close(out[0]) == 0);
    errno = 0;
    r = close(d);
    printf("TOKEN pipes close again %ld %s\n", r, errname(errno));
    return 0;
}
