package org.insight.analysis.deadlock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.LockRef;

/**
 * The lock-order graph of one replay (as Helgrind's and lockdep's): an edge A→B each time a thread acquires B while
 * it holds A. A trylock adds no edge (it never waits, so it cannot be the waiting step of a deadlock), but what it took
 * is held afterwards like any lock. Two read holds of one rwlock never wait for each other, so an edge between a read
 * hold and a read acquisition is left out.
 */
final class LockOrderGraph {
	/** A lock a thread holds: how, and where it acquired it. */
	record Held(LockRef lock, Event.Mode mode, CallStack stack, String function) {
	}

	private final Map<Integer, List<Held>> held = new HashMap<>();
	private final Map<List<LockRef>, Edge> edges = new LinkedHashMap<>();
	private final Map<LockRef, CallStack> initSites = new HashMap<>();
	private final Set<LockRef> locks = new HashSet<>();
	private final ThreadClocks clocks = new ThreadClocks();

	void accept(Event e) {
		switch (e) {
		case Event.LockAcquired a -> acquired(a);
		case Event.LockReleased r -> released(r.tid(), r.lock());
		case Event.ThreadCreated c -> clocks.created(c.tid(), c.child());
		case Event.ThreadJoined j -> clocks.joined(j.tid(), j.child());
		case Event.ThreadExited x -> held.remove(x.tid());
		case Event.LockInitialised i -> initSites.putIfAbsent(i.lock(), i.stack());
		case Event.TryFailed t -> locks.add(t.lock());
		case Event.LockRequested q -> {
			// the order is made by what is held when a lock is had, not asked for
		}
		case Event.FunctionEntered f -> {
		}
		case Event.FunctionExited f -> {
		}
		case Event.RunEnded r -> {
		}
		}
	}

	private void acquired(Event.LockAcquired a) {
		locks.add(a.lock());
		List<Held> mine = held.computeIfAbsent(a.tid(), t -> new ArrayList<>());
		if (!a.trylock()) {
			Set<LockRef> all = new HashSet<>();
			for (Held h : mine) {
				all.add(h.lock);
			}
			for (Held h : mine) {
				if (h.lock.equals(a.lock()) || h.mode.shared() && a.mode().shared()) {
					continue;
				}
				Edge edge = edges.computeIfAbsent(List.of(h.lock, a.lock()), k -> new Edge(h.lock, a.lock(),
						new Edge.Occurrence(a.tid(), h.stack, h.function, a.stack(), a.function(), a.position())));
				Set<LockRef> others = new HashSet<>(all);
				others.remove(h.lock);
				others.remove(a.lock());
				edge.occurred(a.tid(), clocks.of(a.tid()), others);
			}
		}
		mine.add(new Held(a.lock(), a.mode(), a.stack(), a.function()));
	}

	private void released(int tid, LockRef lock) {
		List<Held> mine = held.get(tid);
		if (mine == null) {
			return;
		}
		for (int i = mine.size() - 1; i >= 0; i--) {
			if (mine.get(i).lock.equals(lock)) {
				mine.remove(i);
				return;
			}
		}
	}

	/** The locks {@code tid} holds now, in the order it took them. */
	List<Held> held(int tid) {
		return List.copyOf(held.getOrDefault(tid, List.of()));
	}

	/** Thread {@code tid}'s create/join clock now. */
	ThreadClocks.Clock clock(int tid) {
		return clocks.of(tid);
	}

	List<Edge> edges() {
		return List.copyOf(edges.values());
	}

	/** The edge {@code from} to {@code to}, if some thread took it. */
	java.util.Optional<Edge> edge(LockRef from, LockRef to) {
		return java.util.Optional.ofNullable(edges.get(List.of(from, to)));
	}

	Map<LockRef, CallStack> initSites() {
		return initSites;
	}

	int lockCount() {
		return locks.size();
	}
}
