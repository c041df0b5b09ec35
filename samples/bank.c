/*
 * A bank with tellers moving money between accounts. transfer() locks the source account, then
 * the destination: when one teller moves money from A to B while another moves from B to A, each
 * can hold one lock and wait for the other (lock-order inversion). Both locks are held only for a
 * moment, among many accounts, between long stretches of paperwork, so this almost never happens
and the program normally finishes.
 *
 * Transfers are unconditional (accounts may be overdrawn), so the final balances, and of course
 * the total, do not depend on the order in which the tellers ran.
 *   usage: bank [transfers-per-teller]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ACCOUNTS 4096
#define TELLERS 4
#define OPENING_BALANCE 1000

struct account {
    pthread_mutex_t lock;
    long balance;
    long transfers_in, transfers_out;
};

static struct account accounts[ACCOUNTS];
static long transfers_each = 10000;

static void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&from->lock);
    pthread_mutex_lock(&to->lock);
    from->balance -= amount;
    to->balance += amount;
    from->transfers_out++;
    to->transfers_in++;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
}

/* Paperwork between transfers: keeps the locks a small part of each teller's time. */
static uint64_t paperwork(uint64_t x)
{
    for (int i = 0; i < 1500; i++)
        x = (x ^ (x >> 13)) * 0x9e3779b97f4a7c15ull + (uint64_t)i;
    return x;
}

static void *teller(void *arg)
{
    uint64_t seed = 0x5eed0000u + (uint64_t)(uintptr_t)arg;
    uint64_t receipts = 0;
    for (long i = 0; i < transfers_each; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int from = (int)((seed >> 33) % ACCOUNTS);
        int to = (int)((seed >> 45) % (ACCOUNTS - 1));
        if (to >= from)
            to++; /* never to itself */
        long amount = 1 + (long)((seed >> 20) % 100);
        transfer(&accounts[from], &accounts[to], amount);
        receipts = paperwork(receipts + (uint64_t)amount);
    }
    return (void *)(uintptr_t)receipts;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        transfers_each = atol(argv[1]);
    for (int i = 0; i < ACCOUNTS; i++) {
        pthread_mutex_init(&accounts[i].lock, NULL);
        accounts[i].balance = OPENING_BALANCE;
    }
    pthread_t tellers[TELLERS];
    for (int i = 0; i < TELLERS; i++)
        if (pthread_create(&tellers[i], NULL, teller, (void *)(uintptr_t)i) != 0) {
            perror("pthread_create");
            return 1;
        }
    uint64_t receipts = 0;
    for (int i = 0; i < TELLERS; i++) {
        void *r;
        pthread_join(tellers[i], &r);
        receipts ^= (uint64_t)(uintptr_t)r;
    }

    long total = 0, moves = 0, richest = 0, poorest = 0;
    uint64_t digest = 1469598103934665603ull;
    for (int i = 0; i < ACCOUNTS; i++) {
        total += accounts[i].balance;
        moves += accounts[i].transfers_out;
        if (accounts[i].balance > accounts[richest].balance)
            richest = i;
        if (accounts[i].balance < accounts[poorest].balance)
            poorest = i;
        digest = (digest ^ (uint64_t)accounts[i].balance) * 1099511628211ull;
    }
    printf("%d tellers made %ld transfers between %d accounts\n", TELLERS, moves, ACCOUNTS);
    printf("richest account %ld: %ld, poorest account %ld: %ld\n", richest, accounts[richest].balance,
           poorest, accounts[poorest].balance);
    printf("balances digest %016llx, receipts %016llx\n", (unsigned long long)digest, (unsigned long long)receipts);
    printf("total balance %ld (opened with %d)\n", total, ACCOUNTS * OPENING_BALANCE);
    return total == ACCOUNTS * OPENING_BALANCE ? 0 : 1;
}
