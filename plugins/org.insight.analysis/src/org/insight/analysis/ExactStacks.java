package org.insight.analysis;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.deadlock.DeadlockResult;

/**
 * The whole stacks of a deadlock analysis whose lock calls were counted in the guest ({@code LockHooks#countingCalls}:
 * no exit per lock, unlock or init call, so their stacks are their call sites alone). Only the cycles' edges show
 * stacks, so only their first occurrences need them: a second replay of the same recording with the exact hooks (an
 * exit per call, the stacks unwound by CFI) runs only until every edge of every cycle has had its first occurrence
 * and each of their locks the counted analysis saw initialised its first init (which may come after the edges: a
 * statically initialised mutex set up again), and its stacks replace the counted ones. A recording that ended in an actual deadlock is replayed to its end: the
 * blocked threads' stacks are there, and the exact analysis is then the answer.
 * <p>
 * The replay is the recording's, as deterministic as the first one (which verified it), so the edges and their first
 * occurrences are the same; an edge the second replay does not see keeps the stack of its call site.
 */
final class ExactStacks {
	private ExactStacks() {
	}

	/** Stops the second replay once it has what it needs (thrown through the machine by the analysis's sink). */
	static final class Enough extends RuntimeException {
		private static final long serialVersionUID = 1L;

		Enough() {
			super("the analysis has the stacks it needs", null, false, false);
		}
	}

	/** One replay with the exact hooks, stopped as soon as {@code enough} says so of its deadlock analyzer. */
	interface Replay {
		ReplayAnalysis.Replayed run(Predicate<DeadlockAnalyzer> enough) throws IOException;
	}

	/** Whether {@code counted} shows any stack: a cycle, reported or filtered, or an actual deadlock. */
	static boolean needed(DeadlockResult counted) {
		return !counted.findings().isEmpty() || !counted.filtered().isEmpty() || !counted.actual().isEmpty();
	}

	/**
	 * {@code counted} with the exact stacks of its cycles, or the exact result of a replay that ended in an actual
	 * deadlock ({@code deadlocked}).
	 */
	static DeadlockResult of(DeadlockResult counted, boolean deadlocked, Replay replay) throws IOException {
		boolean toTheEnd = deadlocked || !counted.actual().isEmpty();
		Set<List<LockRef>> edges = DeadlockAnalyzer.cycleEdges(counted);
		// the init sites the report shows (the cycles' locks) come first or later than the edges: wait for them too
		Set<LockRef> inits = new java.util.HashSet<>();
		edges.forEach(inits::addAll);
		inits.retainAll(counted.initSites().keySet());
		ReplayAnalysis.Replayed again = replay.run(toTheEnd ? null : d -> d.tookAll(edges) && d.initialised(inits));
		DeadlockAnalyzer exact = again.analyzers().stream().filter(DeadlockAnalyzer.class::isInstance).map(
				DeadlockAnalyzer.class::cast).findFirst().orElseThrow();
		if (toTheEnd) {
			exact.finish();
			return exact.result();
		}
		return exact.stacksInto(counted);
	}
}
