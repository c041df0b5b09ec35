/* getrandom(2): prints only the lengths the kernel returned, never the bytes. */
#include "guest.h"
#include <sys/random.h>

int main(void)
{
    unsigned char buf[256];
    memset(buf, 0, sizeof buf);
    ssize_t n = getrandom(buf, sizeof buf, 0);
    int nonzero = 0;
    for (ssize_t i = 0; i < n; i++)
        nonzero += buf[i] != 0;
    /* 256 random bytes with fewer than 200 non-zero ones: about as likely as a cosmic ray */
    printf("TOKEN getrandom %zd %s\n", n, nonzero > 200 ? "ok" : "suspicious");
    n = getrandom(buf, 16, GRND_NONBLOCK);
    printf("TOKEN getrandom nonblock %zd\n", n);
    n = getrandom(buf, 0, 0);
    printf("TOKEN getrandom empty %zd\n", n);
    return 0;
}
