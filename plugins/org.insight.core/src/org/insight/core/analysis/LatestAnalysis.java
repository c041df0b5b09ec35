package org.insight.core.analysis;

import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The latest analysis the IDE imported, for the views: the engine jobs publish each report they read, and listeners
 * hear of it on the publishing thread. The deadlock listeners (the Deadlocks view) hear of its deadlock part, the
 * report listeners (the profile views) of the whole report.
 */
public final class LatestAnalysis {
	private static volatile DeadlockReport latest;
	private static volatile AnalysisReport latestReport;
	private static final CopyOnWriteArrayList<Consumer<DeadlockReport>> listeners = new CopyOnWriteArrayList<>();
	private static final CopyOnWriteArrayList<Consumer<AnalysisReport>> reportListeners = new CopyOnWriteArrayList<>();

	private LatestAnalysis() {
	}

	public static Optional<DeadlockReport> get() {
		return Optional.ofNullable(latest);
	}

	/** The whole latest report (deadlocks and profiles); empty before the first import. */
	public static Optional<AnalysisReport> report() {
		return Optional.ofNullable(latestReport);
	}

	public static void publish(DeadlockReport report) {
		latest = report;
		for (Consumer<DeadlockReport> l : listeners) {
			l.accept(report);
		}
	}

	/**
	 * Publishes a whole report: all of it to the report listeners, its deadlock part to the deadlock listeners when it
	 * has the deadlock analysis (a profile alone leaves the latest deadlock analysis as it was).
	 */
	public static void publish(AnalysisReport report) {
		latestReport = report;
		for (Consumer<AnalysisReport> l : reportListeners) {
			l.accept(report);
		}
		if (report.deadlocksRan()) {
			publish(report.deadlocks());
		}
	}

	public static void addListener(Consumer<DeadlockReport> listener) {
		listeners.add(listener);
	}

	public static void removeListener(Consumer<DeadlockReport> listener) {
		listeners.remove(listener);
	}

	public static void addReportListener(Consumer<AnalysisReport> listener) {
		reportListeners.add(listener);
	}

	public static void removeReportListener(Consumer<AnalysisReport> listener) {
		reportListeners.remove(listener);
	}
}
