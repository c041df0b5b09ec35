package org.insight.analysis.deadlock;

import java.util.List;

import org.insight.analysis.LockRef;

/**
 * A cycle of the lock-order graph: a potential deadlock when {@link #filterReasons()} is empty, a filtered one with
 * its explanation otherwise.
 *
 * @param id            stable across analyses of the same program: a digest of the cycle's lock names and call sites
 * @param locks         the cycle's locks in order, starting at its lowest lock; edge i goes from lock i to lock i+1
 * @param edges         the edges, edge i from locks[i] to locks[(i+1) % n]
 * @param threads       the threads that took its edges
 * @param filterReasons why it is no deadlock, empty for a potential deadlock
 */
public record Finding(String id, List<LockRef> locks, List<Edge> edges, List<Integer> threads,
		List<String> filterReasons) {
	public Finding {
		locks = List.copyOf(locks);
		edges = List.copyOf(edges);
		threads = List.copyOf(threads);
		filterReasons = List.copyOf(filterReasons);
	}

	public boolean filtered() {
		return !filterReasons.isEmpty();
	}
}
