/* Read-only provided files (--file/--ro-dir; the manifest's @data/files): argv[1] is a directory holding
 * numbers.txt and sub/note.txt. Reads with read/pread/readv/lseek, fstat/stat, a private mmap, dup and F_GETFL,
 * lists the directory (opendir/readdir: getdents64) and opens relative to a directory descriptor. A path
 * outside the provided ones is ENOENT. Everything printed as TOKEN is the same natively and in the VM;
 * the one line that differs (O_WRONLY: EROFS in the VM, natively whatever the host allows) is not a TOKEN. */
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *err(int e)
{
    return e == EROFS ? "EROFS" : e == EACCES ? "EACCES" : e == ENOTDIR ? "ENOTDIR" : errname(e);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    CHECK("files", argc == 2);
    const char *dir = argv[1];
    char path[4096];
    snprintf(path, sizeof path, "%s/numbers.txt", dir);

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK("files", fd >= 0);
    struct stat st;
    CHECK("files", fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
    printf("TOKEN size %lld\n", (long long)st.st_size);
    char buf[256];
    ssize_t n = read(fd, buf, 5);
    CHECK("files", n == 5);
    printf("TOKEN read %.*s|\n", (int)n, buf);
    off_t end = lseek(fd, 0, SEEK_END);
    printf("TOKEN end %lld\n", (long long)end);
    n = pread(fd, buf, 6, 20);
    printf("TOKEN pread %zd %.*s|\n", n, (int)n, buf);
    CHECK("files", lseek(fd, 0, SEEK_CUR) == end);
    CHECK("files", read(fd, buf, 1) == 0);
    char a[2], b[3];
    struct iovec iov[2] = { { a, 2 }, { b, 3 } };
    CHECK("files", lseek(fd, 6, SEEK_SET) == 6);
    n = readv(fd, iov, 2);
    printf("TOKEN readv %zd %.2s+%.3s|\n", n, a, b);

    char content[256];
    ssize_t size = pread(fd, content, sizeof content, 0);
    CHECK("files", size == st.st_size);
    char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("files", m != MAP_FAILED);
    int same = memcmp(m, content, size) == 0;
    m[0] = '#';
    CHECK("files", pread(fd, buf, 1, 0) == 1);
    printf("TOKEN mmap same %d private %d\n", same, buf[0] == content[0]);
    munmap(m, size);

    struct stat st2;
    CHECK("files", stat(path, &st2) == 0);
    printf("TOKEN stat same %d\n", st2.st_ino == st.st_ino && st2.st_dev == st.st_dev && st2.st_size == st.st_size);
    printf("TOKEN access %d\n", access(path, R_OK));
    int fd2 = dup(fd);
    printf("TOKEN dup rdonly %d\n", fd2 > fd && (fcntl(fd2, F_GETFL) & O_ACCMODE) == O_RDONLY);
    close(fd2);
    close(fd);

    DIR *d = opendir(dir);
    CHECK("files", d != NULL);
    char *names[16];
    int count = 0, dots = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            dots++;
            continue;
        }
        CHECK("files", count < 16);
        struct stat es;
        CHECK("files", fstatat(dirfd(d), e->d_name, &es, 0) == 0);
        char *s = malloc(strlen(e->d_name) + 6);
        sprintf(s, "%s %s", e->d_name, S_ISDIR(es.st_mode) ? "dir" : "file");
        names[count++] = s;
    }
    closedir(d);
    qsort(names, count, sizeof names[0], cmp);
    printf("TOKEN dots %d\n", dots);
    for (int i = 0; i < count; i++) {
        printf("TOKEN entry %s\n", names[i]);
    }

    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK("files", dfd >= 0);
    int sfd = openat(dfd, "sub/../sub/note.txt", O_RDONLY);
    CHECK("files", sfd >= 0);
    n = read(sfd, buf, sizeof buf);
    printf("TOKEN note %zd %.*s", n, (int)n, buf);
    close(sfd);
    errno = 0;
    printf("TOKEN relative missing %s\n", openat(dfd, "nope.txt", O_RDONLY) < 0 ? err(errno) : "opened");
    errno = 0;
    printf("TOKEN notdir %s\n", openat(dfd, "numbers.txt", O_RDONLY | O_DIRECTORY) < 0 ? err(errno) : "opened");
    close(dfd);
    errno = 0;
    printf("TOKEN missing %s\n", open("/nonexistent/insight-files", O_RDONLY) < 0 ? err(errno) : "opened");
    errno = 0;
    int w = open(path, O_WRONLY);
    printf("wronly %s\n", w < 0 ? err(errno) : "opened");
    printf("TOKEN done\n");
    return 0;
}
