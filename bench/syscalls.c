/* bench: a loop of cheap system calls; each one is a VM exit, so this measures the syscall round trip. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000L;
    long sum = 0;
    for (long i = 0; i < n; i++) sum += syscall(SYS_getppid) >= 0;
    printf("syscalls %ld %ld\n", n, sum);
    return 0;
}
