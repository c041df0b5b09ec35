package org.insight.vmm.sched;

/**
 * One edge of a wait-for graph: thread {@code waiter} is blocked, without a timeout, asking for the mutex at
 * {@code mutex}, which thread {@code owner} holds.
 */
public record MutexWait(int waiter, long mutex, int owner) {
}
