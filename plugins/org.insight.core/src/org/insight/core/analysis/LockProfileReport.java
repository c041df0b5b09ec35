package org.insight.core.analysis;

import java.util.List;
import java.util.Optional;

/**
 * The lock profile of one analysis, as the engine reported it (member {@code locks} of the JSON report, schema
 * {@code insight-analysis} version 2 and later): per lock and per acquisition site, counts (exact) and wait and hold
 * times (virtual nanoseconds, measured). Immutable.
 *
 * @param order the engine's sort column ("wait-total", ...)
 * @param all   the number of locks the program touched (the list may be cut to the engine's {@code --top})
 * @param total the sums over every lock
 * @param locks the locks, in the engine's order
 */
public record LockProfileReport(String order, long all, Stats total, List<Lock> locks) {

	public LockProfileReport {
		locks = List.copyOf(locks);
	}

	/** One lock: its name (symbol or address), address, kind (mutex, rwlock, ...), mode, totals and sites. */
	public record Lock(String name, String address, String kind, String mode, Stats stats, List<Site> sites) {
		public Lock {
			sites = List.copyOf(sites);
		}
	}

	/** An acquisition site of a lock: the function that took it, its call site (empty where unknown), its counts. */
	public record Site(String function, Optional<DeadlockReport.Frame> site, Stats stats) {
	}

	/** The counts and times of a lock or a site; times in virtual nanoseconds. */
	public record Stats(long acquisitions, long contended, long failedTrylocks, long waitTotalNs, long waitMaxNs,
			long waitMeanNs, long holds, long holdTotalNs, long holdMaxNs, long holdMeanNs, long heldAtExit) {
	}
}
