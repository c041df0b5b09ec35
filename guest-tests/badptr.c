/* Hostile calls with bad pointers: each must fail with its errno and leave the process (and the
 * VMM) alive. The raw syscall() is used throughout because it is what the kernel sees: libc's
 * clock_gettime would go through the vDSO natively and crash in user space instead of failing. */
#include "guest.h"
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* From <linux/futex.h>, which musl does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

static void report(const char *what, long rc)
{
    printf("TOKEN badptr %s -> %ld %s\n", what, rc, errname(rc < 0 ? errno : 0));
}

int main(void)
{
    void *low = (void *)8;                       /* in the unmapped first page */
    void *kernel = (void *)0xffff800000001000UL; /* kernel half: never user-accessible */
    void *noncanonical = (void *)0x0009000000000000UL; /* bits 63..48 not a sign extension */

    errno = 0;
    report("write(1, 0x8, 16)", syscall(SYS_write, 1, low, 16));
    report("write(1, kernel, 16)", syscall(SYS_write, 1, kernel, 16));
    report("write(2, noncanonical, 16)", syscall(SYS_write, 2, noncanonical, 16));
    report("write(99, buf, 1)", syscall(SYS_write, 99, "x", 1));
    report("read(0, 0x8, 16)", syscall(SYS_read, 0, low, 16));
    report("read(0, kernel, 16)", syscall(SYS_read, 0, kernel, 16));
    report("clock_gettime(MONOTONIC, 0x8)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, low));
    report("clock_gettime(REALTIME, kernel)", syscall(SYS_clock_gettime, CLOCK_REALTIME, kernel));
    struct timespec ts;
    report("clock_gettime(12345, &ts)", syscall(SYS_clock_gettime, 12345, &ts));
    report("nanosleep(0x8, NULL)", syscall(SYS_nanosleep, low, NULL));
    report("uname(0x8)", syscall(SYS_uname, low));
    report("getrandom(0x8, 16, 0)", syscall(SYS_getrandom, low, 16, 0));
    report("futex(0x8, FUTEX_WAIT, 0)", syscall(SYS_futex, low, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0));
    report("futex(0x8, FUTEX_WAKE, 1)", syscall(SYS_futex, low, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0));

    /* Still alive, and stdout still works. */
    printf("TOKEN badptr survived\n");
    return 0;
}
