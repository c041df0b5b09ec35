/* Reads all of stdin with read(2) in odd-sized chunks and prints the byte count, line count and a
 * checksum. stdin is an input the recorder must capture. */
#include "guest.h"
#include <unistd.h>

int main(void)
{
    char buf[1000];
    uint64_t h = FNV_SEED;
    long total = 0, lines = 0, reads = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        CHECK("stdin", n >= 0);
        if (n == 0)
            break;
        reads++;
        total += n;
        for (ssize_t i = 0; i < n; i++)
            lines += buf[i] == '\n';
        h = fnv1a(h, buf, (size_t)n);
    }
    printf("reads %ld\n", reads); /* a pipe may deliver fewer bytes per read than a file */
    printf("TOKEN stdin bytes %ld lines %ld checksum %016llx\n", total, lines, (unsigned long long)h);
    return 0;
}
