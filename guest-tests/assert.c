/* A failed assert(): the message goes to stderr (worded differently by glibc and musl), then
 * abort(), so the run ends with status 134. */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>

static int answer(void)
{
    return 41;
}

int main(void)
{
    printf("TOKEN assert checking that the answer is 42\n");
    fflush(stdout);
    assert(answer() == 42);
    printf("TOKEN assert passed (wrong)\n");
    return 0;
}
