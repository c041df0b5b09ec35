package org.insight.analysis.deadlock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.insight.analysis.BlockedCall;
import org.insight.analysis.LockRef;

/**
 * The wait-for cycles of a run that ended in an actual deadlock: thread T waits for thread U when T is blocked asking
 * for a lock that U holds in a mode that excludes T's (two read holds of a rwlock do not). A cycle T0 -> T1 -> ... ->
 * T0 is the deadlock; it is given in the form of a lock-order cycle, so that the reports show it as they show a
 * potential deadlock: edge i goes from the lock thread i holds (and thread i-1 wants) to the lock thread i wants, with
 * the stack where it took the one and the stack where it asks for the other. Each elementary cycle is found once, from
 * its lowest thread id.
 */
final class WaitForCycles {
	private record Wait(int waiter, int owner, LockOrderGraph.Held held) {
	}

	private final Map<Integer, BlockedCall> blocked = new LinkedHashMap<>();
	private final Map<Integer, List<Wait>> out = new HashMap<>();
	private final List<List<Wait>> found = new ArrayList<>();

	private WaitForCycles(LockOrderGraph graph, List<BlockedCall> calls) {
		for (BlockedCall c : calls) {
			blocked.put(c.tid(), c);
		}
		for (BlockedCall c : calls) {
			for (int owner : blocked.keySet()) {
				if (owner == c.tid()) {
					continue;
				}
				for (LockOrderGraph.Held h : graph.held(owner)) {
					if (h.lock().equals(c.lock()) && !(h.mode().shared() && c.mode().shared())) {
						out.computeIfAbsent(c.tid(), k -> new ArrayList<>()).add(new Wait(c.tid(), owner, h));
					}
				}
			}
		}
	}

	/** The deadlocks among {@code calls} (the threads blocked at the end), given what each thread holds in the graph. */
	static List<List<Edge>> of(LockOrderGraph graph, List<BlockedCall> calls) {
		WaitForCycles w = new WaitForCycles(graph, calls);
		for (int start : w.blocked.keySet().stream().sorted().toList()) {
			w.search(start, start, new ArrayList<>());
		}
		List<List<Edge>> cycles = new ArrayList<>();
		for (List<Wait> cycle : w.found) {
			cycles.add(w.edges(graph, cycle));
		}
		return cycles;
	}

	private void search(int start, int at, List<Wait> path) {
		for (Wait w : out.getOrDefault(at, List.of())) {
			if (w.owner() == start) {
				List<Wait> cycle = new ArrayList<>(path);
				cycle.add(w);
				found.add(List.copyOf(cycle));
			} else if (w.owner() > start && path.stream().noneMatch(p -> p.waiter() == w.owner())) {
				path.add(w);
				search(start, w.owner(), path);
				path.remove(path.size() - 1);
			}
		}
	}

	/**
	 * Wait i: thread T(i) waits for lock L(i), held by T(i+1). Edge i of the result is T(i+1)'s: it holds L(i), acquired
	 * at its held stack, and wants L(i+1), asked for at its blocked call's stack.
	 */
	private List<Edge> edges(LockOrderGraph graph, List<Wait> cycle) {
		List<Edge> edges = new ArrayList<>();
		for (int i = 0; i < cycle.size(); i++) {
			Wait w = cycle.get(i);
			BlockedCall wants = blocked.get(w.owner());
			LockRef from = w.held().lock();
			Edge e = new Edge(from, wants.lock(), new Edge.Occurrence(w.owner(), w.held().stack(), w.held().function(),
					wants.stack(), wants.function(), wants.position()));
			e.occurred(w.owner(), graph.clock(w.owner()), Set.of());
			edges.add(e);
		}
		return List.copyOf(edges);
	}
}
