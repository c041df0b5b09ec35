package org.insight.analysis.deadlock;

import java.util.HashMap;
import java.util.Map;

/**
 * Vector clocks of the happens-before order that thread creation and join alone impose: a child starts after
 * everything its parent did before creating it, and a joiner goes on after everything the joined thread did. Two
 * events whose clocks are ordered can never overlap in any schedule; that is what filters a cycle fixed by
 * create/join. Locks are deliberately not part of this order: they are what a deadlock is made of.
 */
final class ThreadClocks {
	/** An immutable clock: thread to count. */
	record Clock(Map<Integer, Integer> counts) {
		Clock {
			counts = Map.copyOf(counts);
		}

		/** Whether every component is at most {@code other}'s: this happened before (or is) {@code other}. */
		boolean before(Clock other) {
			for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
				if (e.getValue() > other.counts.getOrDefault(e.getKey(), 0)) {
					return false;
				}
			}
			return true;
		}
	}

	private final Map<Integer, Clock> clocks = new HashMap<>();

	/** Thread {@code tid}'s clock now (a thread never seen created starts on its own). */
	Clock of(int tid) {
		return clocks.computeIfAbsent(tid, t -> new Clock(Map.of(t, 1)));
	}

	void created(int parent, int child) {
		Clock p = of(parent);
		Map<Integer, Integer> c = new HashMap<>(p.counts());
		c.put(child, 1);
		clocks.put(child, new Clock(c));
		tick(parent, p.counts());
	}

	void joined(int joiner, int child) {
		Map<Integer, Integer> j = new HashMap<>(of(joiner).counts());
		of(child).counts().forEach((t, n) -> j.merge(t, n, Math::max));
		tick(joiner, j);
	}

	private void tick(int tid, Map<Integer, Integer> base) {
		Map<Integer, Integer> m = new HashMap<>(base);
		m.merge(tid, 1, Integer::sum);
		clocks.put(tid, new Clock(m));
	}
}
