package org.insight.analysis.deadlock;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.insight.analysis.CallStack;
import org.insight.analysis.LockRef;

/**
 * An edge of the lock-order graph: some thread acquired {@code to} while holding {@code from}. It keeps the first
 * occurrence in full (both acquisition stacks), how often it happened, which threads did it with the create/join
 * clocks of their first and last occurrence, and the locks held at every occurrence besides {@code from} (the
 * candidates for a gate lock).
 */
public final class Edge {
	/** The first occurrence: thread, both acquisitions, trace position. */
	public record Occurrence(int tid, CallStack fromStack, String fromFunction, CallStack toStack,
			String toFunction, long position) {
	}

	record Span(ThreadClocks.Clock first, ThreadClocks.Clock last) {
	}

	private final LockRef from;
	private final LockRef to;
	private final Occurrence first;
	private long count;
	private final Map<Integer, Span> threads = new LinkedHashMap<>();
	private Set<LockRef> alsoHeld;

	Edge(LockRef from, LockRef to, Occurrence first) {
		this.from = from;
		this.to = to;
		this.first = first;
	}

	void occurred(int tid, ThreadClocks.Clock clock, Set<LockRef> otherHeld) {
		count++;
		threads.merge(tid, new Span(clock, clock), (old, now) -> new Span(old.first(), clock));
		if (alsoHeld == null) {
			alsoHeld = new HashSet<>(otherHeld);
		} else {
			alsoHeld.retainAll(otherHeld);
		}
	}

	/** This edge with {@code other} as its first occurrence (its counts and threads as they are). */
	Edge withFirst(Occurrence other) {
		Edge e = new Edge(from, to, other);
		e.count = count;
		e.threads.putAll(threads);
		e.alsoHeld = alsoHeld;
		return e;
	}

	public LockRef from() {
		return from;
	}

	public LockRef to() {
		return to;
	}

	public Occurrence first() {
		return first;
	}

	public long count() {
		return count;
	}

	/** The threads that took this edge, in the order they first did. */
	public Set<Integer> threads() {
		return threads.keySet();
	}

	Span span(int tid) {
		return threads.get(tid);
	}

	/** Locks held at every occurrence, besides {@code from}. */
	Set<LockRef> alsoHeld() {
		return alsoHeld == null ? Set.of() : alsoHeld;
	}
}
