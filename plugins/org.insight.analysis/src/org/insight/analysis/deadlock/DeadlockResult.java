package org.insight.analysis.deadlock;

import java.util.List;
import java.util.Map;

import org.insight.analysis.CallStack;
import org.insight.analysis.LockRef;

/**
 * What the potential-deadlock analyzer found on one replay.
 *
 * @param findings  the potential deadlocks
 * @param filtered  the cycles filtered out, each with its reasons
 * @param initSites where locks were initialised (a lock missing here had a static initializer, or was set up
 *                  without a hooked init function)
 * @param locks     how many distinct locks were seen
 * @param edges     how many lock-order edges
 * @param truncated whether the cycle search stopped at its limit
 * @param actual    the actual deadlocks: the wait-for cycles of a run that ended in an actual deadlock, in the
 *                  form of a cycle whose edge i is thread i holding lock i and waiting for lock i+1 (empty when the
 *                  run did not end so)
 */
public record DeadlockResult(List<Finding> findings, List<Finding> filtered, Map<LockRef, CallStack> initSites,
		int locks, int edges, boolean truncated, List<Finding> actual) {
	public DeadlockResult {
		findings = List.copyOf(findings);
		filtered = List.copyOf(filtered);
		initSites = Map.copyOf(initSites);
		actual = List.copyOf(actual);
	}

	/** A result without actual deadlocks. */
	public DeadlockResult(List<Finding> findings, List<Finding> filtered, Map<LockRef, CallStack> initSites, int locks,
			int edges, boolean truncated) {
		this(findings, filtered, initSites, locks, edges, truncated, List.of());
	}
}
