package org.insight.core.analysis;

import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The latest deadlock analysis the IDE imported, for the views: the engine jobs publish each report they read, and
 * listeners (the Deadlocks view) hear of it on the publishing thread.
 */
public final class LatestAnalysis {
	private static volatile DeadlockReport latest;
	private static final CopyOnWriteArrayList<Consumer<DeadlockReport>> listeners = new CopyOnWriteArrayList<>();

	private LatestAnalysis() {
	}

	public static Optional<DeadlockReport> get() {
		return Optional.ofNullable(latest);
	}

	public static void publish(DeadlockReport report) {
		latest = report;
		for (Consumer<DeadlockReport> l : listeners) {
			l.accept(report);
		}
	}

	public static void addListener(Consumer<DeadlockReport> listener) {
		listeners.add(listener);
	}

	public static void removeListener(Consumer<DeadlockReport> listener) {
		listeners.remove(listener);
	}
}
