package org.insight.vmm.sched;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The futex wait queues: per guest virtual address of a futex word, the waiting threads in the order they began to
 * wait (first in, first out). All futexes are private to the one guest process, so the address alone is the key.
 */
final class FutexTable {
	private final Map<Long, ArrayDeque<GuestThread>> queues = new HashMap<>();

	void enqueue(GuestThread t, long address) {
		queues.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(t);
	}

	/**
	 * Removes and returns up to {@code max} waiters on {@code address} whose bitset intersects {@code bitset}, oldest
	 * first.
	 */
	List<GuestThread> take(long address, int max, int bitset) {
		ArrayDeque<GuestThread> q = queues.get(address);
		List<GuestThread> taken = new ArrayList<>();
		if (q == null) {
			return taken;
		}
		for (Iterator<GuestThread> it = q.iterator(); it.hasNext() && taken.size() < max;) {
			GuestThread t = it.next();
			if ((t.futexBitset() & bitset) != 0) {
				it.remove();
				taken.add(t);
			}
		}
		if (q.isEmpty()) {
			queues.remove(address);
		}
		return taken;
	}

	/** Moves up to {@code max} of the oldest waiters on {@code from} to the end of {@code to}'s queue. */
	int move(long from, long to, int max) {
		List<GuestThread> moved = take(from, max, -1);
		for (GuestThread t : moved) {
			t.futexAddress(to);
			enqueue(t, to);
		}
		return moved.size();
	}

	/** Takes a waiter off its queue (timeout, exit). */
	void remove(GuestThread t) {
		ArrayDeque<GuestThread> q = queues.get(t.futexAddress());
		if (q != null) {
			q.remove(t);
			if (q.isEmpty()) {
				queues.remove(t.futexAddress());
			}
		}
	}

	/** The waiters on {@code address}, oldest first. */
	List<GuestThread> waiters(long address) {
		ArrayDeque<GuestThread> q = queues.get(address);
		return q == null ? List.of() : List.copyOf(q);
	}

	boolean isEmpty() {
		return queues.isEmpty();
	}
}
