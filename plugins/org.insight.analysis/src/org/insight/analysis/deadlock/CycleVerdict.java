package org.insight.analysis.deadlock;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.insight.analysis.LockRef;

/**
 * Whether a cycle of the lock-order graph is a potential deadlock, and if not, why. A deadlock needs every edge of
 * the cycle to be in progress at once, each in a different thread. So a cycle is filtered out when:
 * <ul>
 * <li>one thread took all its edges (a thread cannot wait for itself across a cycle of distinct locks);</li>
 * <li>a gate lock was held at every occurrence of every edge: only one thread at a time can be inside any of them;</li>
 * <li>no choice of distinct threads, one per edge, has all of them unordered by thread creation and join: whichever
 * way they are picked, one thread's edge is done before another's thread exists, or after it was joined.</li>
 * </ul>
 * Every reason that applies is given, the first being the one that decided.
 */
final class CycleVerdict {
	private CycleVerdict() {
	}

	/** The reasons to filter {@code cycle} out, empty when it is a potential deadlock. */
	static List<String> reasons(List<Edge> cycle, Names names) {
		List<String> reasons = new ArrayList<>();
		Set<Integer> threads = new HashSet<>();
		for (Edge e : cycle) {
			threads.addAll(e.threads());
		}
		if (threads.size() == 1) {
			reasons.add("single-thread cycle: every edge was taken by thread " + threads.iterator().next()
					+ " alone, and a thread cannot wait for itself across distinct locks");
		}
		Set<LockRef> gates = new HashSet<>(cycle.get(0).alsoHeld());
		for (Edge e : cycle) {
			gates.retainAll(e.alsoHeld());
		}
		if (!gates.isEmpty()) {
			List<String> g = gates.stream().map(names::of).sorted().toList();
			reasons.add("gate lock: " + String.join(", ", g) + (g.size() == 1 ? " was" : " were")
					+ " held at every acquisition of every edge, so only one thread at a time can be in the cycle");
		}
		if (threads.size() > 1 && !concurrentChoice(cycle, 0, new ArrayList<>())) {
			reasons.add("ordered by thread create/join: the threads that took these edges never run at the same"
					+ " time (one was joined before the other was created, or created after it ended)");
		}
		return reasons;
	}

	/** Whether threads, distinct and pairwise unordered by create/join, can be picked for edges i.. of the cycle. */
	private static boolean concurrentChoice(List<Edge> cycle, int i, List<Edge.Span> picked) {
		if (i == cycle.size()) {
			return true;
		}
		Edge e = cycle.get(i);
		for (int tid : e.threads()) {
			Edge.Span s = e.span(tid);
			if (isPicked(picked, cycle, tid, i)) {
				continue;
			}
			boolean ok = true;
			for (Edge.Span p : picked) {
				if (p.last().before(s.first()) || s.last().before(p.first())) {
					ok = false;
					break;
				}
			}
			if (ok) {
				picked.add(s);
				boolean rest = concurrentChoice(cycle, i + 1, picked);
				picked.remove(picked.size() - 1);
				if (rest) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean isPicked(List<Edge.Span> picked, List<Edge> cycle, int tid, int upTo) {
		for (int k = 0; k < upTo; k++) {
			if (cycle.get(k).span(tid) == picked.get(k)) {
				return true;
			}
		}
		return false;
	}
}
