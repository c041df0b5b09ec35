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
 */
public record DeadlockResult(List<Finding> findings, List<Finding> filtered, Map<LockRef, CallStack> initSites,
		int locks, int edges, boolean truncated) {
	public DeadlockResult {
		findings = List.copyOf(findings);
		filtered = List.copyOf(filtered);
		initSites = Map.copyOf(initSites);
	}
}
