/* The initial stack as the loader builds it: argc/argv, the environment, and the auxiliary vector
 * (AT_PAGESZ, AT_RANDOM, AT_PHDR/AT_PHNUM/AT_PHENT, AT_ENTRY). argv[0] depends on how the program
 * was started, so only its last path component is printed, on a line the harness does not compare. */
#include "guest.h"
#include <elf.h>
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    printf("argv0 %s\n", slash ? slash + 1 : argv[0]);
    printf("TOKEN argv argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("TOKEN argv argv[%d] '%s'\n", i, argv[i]);
    CHECK("argv", argv[argc] == NULL);

    const char *greeting = getenv("INSIGHT_GREETING");
    printf("TOKEN argv env INSIGHT_GREETING '%s'\n", greeting ? greeting : "(unset)");
    const char *absent = getenv("INSIGHT_SURELY_ABSENT");
    printf("TOKEN argv env INSIGHT_SURELY_ABSENT %s\n", absent ? "set" : "unset");
    int envc = 0;
    while (environ[envc])
        envc++;
    printf("environment entries %d\n", envc);

    printf("TOKEN argv auxv AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    int nonzero = 0;
    for (int i = 0; rnd && i < 16; i++)
        nonzero |= rnd[i];
    printf("TOKEN argv auxv AT_RANDOM %s\n", rnd ? (nonzero ? "non-null, readable" : "non-null, all zero") : "null");
    printf("TOKEN argv auxv AT_PHDR %s AT_PHENT %lu AT_PHNUM %s\n",
           getauxval(AT_PHDR) ? "set" : "missing", getauxval(AT_PHENT),
           getauxval(AT_PHNUM) ? "set" : "missing");
    extern void _start(void);
    printf("TOKEN argv auxv AT_ENTRY %s\n", getauxval(AT_ENTRY) == (unsigned long)&_start ? "is _start" : "wrong");
    return 0;
}
