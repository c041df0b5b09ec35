package org.insight.vmm.linux.fd;

import java.util.LinkedHashSet;
import java.util.List;

import org.insight.vmm.sched.GuestThread;

/**
 * The threads blocked on one object (a pipe, an eventfd), oldest first, so that they are retried in a fixed order
 * and record and replay see the same outcome.
 */
public final class WaitList {
	private final LinkedHashSet<GuestThread> threads = new LinkedHashSet<>();
	private long changes;

	public void add(GuestThread t) {
		threads.add(t);
	}

	public void remove(GuestThread t) {
		threads.remove(t);
	}

	public boolean isEmpty() {
		return threads.isEmpty();
	}

	/** The object changed (bytes moved, a count changed, an end closed): its waiters may now get on. */
	public void touch() {
		changes++;
	}

	/** How often the object changed: a retry pass that changed nothing needs no other. */
	public long changes() {
		return changes;
	}

	/** The waiters now, oldest first (a copy: retrying one changes the list). */
	public List<GuestThread> snapshot() {
		return List.copyOf(threads);
	}
}
