/* Two rwlocks read-locked in opposite orders by two threads: readers never wait for readers, so
 * the inversion cannot deadlock and `insight analyze` must report no cycle at all (read-read pairs
 * add no lock-order edge). Each thread checks what the writer-free locks let it see. */
#include "guest.h"
#include <pthread.h>

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t index_lock = PTHREAD_RWLOCK_INITIALIZER;
static const long table = 20, index_of = 22;
static long sums[2];

static void *read_table_then_index(void *arg)
{
    (void)arg;
    CHECK("lockread", pthread_rwlock_rdlock(&table_lock) == 0);
    CHECK("lockread", pthread_rwlock_rdlock(&index_lock) == 0);
    sums[0] = table + index_of;
    pthread_rwlock_unlock(&index_lock);
    pthread_rwlock_unlock(&table_lock);
    return NULL;
}

static void *read_index_then_table(void *arg)
{
    (void)arg;
    CHECK("lockread", pthread_rwlock_rdlock(&index_lock) == 0);
    CHECK("lockread", pthread_rwlock_rdlock(&table_lock) == 0);
    sums[1] = index_of + table;
    pthread_rwlock_unlock(&table_lock);
    pthread_rwlock_unlock(&index_lock);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    CHECK("lockread", pthread_create(&t1, NULL, read_table_then_index, NULL) == 0);
    CHECK("lockread", pthread_create(&t2, NULL, read_index_then_table, NULL) == 0);
    CHECK("lockread", pthread_join(t1, NULL) == 0);
    CHECK("lockread", pthread_join(t2, NULL) == 0);
    printf("TOKEN lockread sums %ld %ld\n", sums[0], sums[1]);
    return 0;
}
