package org.insight.analysis.deadlock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.insight.analysis.LockRef;

/**
 * Every elementary cycle of the lock-order graph, each once: a cycle is found only from its lowest lock (by address),
 * through locks above it, so no rotation of it is found again. Cycles in lock graphs are few and short; the search
 * stops at {@link #LIMIT} cycles and says so rather than running without end on a pathological graph.
 */
final class Cycles {
	static final int LIMIT = 10_000;

	private final Map<LockRef, List<Edge>> out = new HashMap<>();
	private final List<List<Edge>> found = new ArrayList<>();
	private boolean truncated;

	private Cycles(List<Edge> edges) {
		for (Edge e : edges) {
			out.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e);
		}
		for (List<Edge> l : out.values()) {
			l.sort(Comparator.comparingLong(e -> e.to().address()));
		}
	}

	/** The cycles of {@code edges}, each as its edges in order, starting at its lowest lock. */
	static Cycles of(List<Edge> edges) {
		Cycles c = new Cycles(edges);
		List<LockRef> starts = new ArrayList<>(c.out.keySet());
		starts.sort(Comparator.comparingLong(LockRef::address));
		for (LockRef s : starts) {
			c.search(s, s, new ArrayList<>());
			if (c.truncated) {
				break;
			}
		}
		return c;
	}

	private void search(LockRef start, LockRef at, List<Edge> path) {
		for (Edge e : out.getOrDefault(at, List.of())) {
			if (found.size() >= LIMIT) {
				truncated = true;
				return;
			}
			if (e.to().equals(start)) {
				List<Edge> cycle = new ArrayList<>(path);
				cycle.add(e);
				found.add(List.copyOf(cycle));
			} else if (Long.compareUnsigned(e.to().address(), start.address()) > 0 && !onPath(path, e.to())) {
				path.add(e);
				search(start, e.to(), path);
				path.remove(path.size() - 1);
			}
		}
	}

	private static boolean onPath(List<Edge> path, LockRef lock) {
		for (Edge e : path) {
			if (e.from().equals(lock)) {
				return true;
			}
		}
		return false;
	}

	List<List<Edge>> all() {
		return found;
	}

	/** Whether the search stopped at {@link #LIMIT}. */
	boolean truncated() {
		return truncated;
	}
}
