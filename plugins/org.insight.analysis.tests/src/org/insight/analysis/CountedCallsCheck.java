package org.insight.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Edge;
import org.insight.analysis.deadlock.Finding;
import org.insight.replay.ReplayOptions;
import org.insight.vmm.linux.CapturedOutput;

/**
 * The deadlock analysis alone, whose lock calls are counted in the guest with no exit ({@code
 * LockHooks#countingCalls}, its cycles' stacks from a second replay, {@link ExactStacks}), gives the answer of the
 * exact hooks: the same cycles with the same ids, filter reasons, edges, counts, threads and first occurrences with
 * their whole stacks, the same init sites and actual deadlocks.
 */
final class CountedCallsCheck {
	private CountedCallsCheck() {
	}

	static void sameDeadlocks(RecordedGuest run, String what) throws IOException {
		AnalysisResult counted = ReplayAnalysis.run(run.trace(), new CapturedOutput(), ReplayOptions.onThisHost(),
				List.of(DeadlockAnalyzer.ID));
		DeadlockResult c = counted.deadlocks();
		DeadlockResult e = run.analysis().deadlocks();
		String w = what + ", counted calls";
		assertEquals(e.findings().size(), c.findings().size(), w + ": potential deadlocks");
		assertEquals(describe(e.findings()), describe(c.findings()), w);
		assertEquals(describe(e.filtered()), describe(c.filtered()), w + ": filtered");
		assertEquals(describe(e.actual()), describe(c.actual()), w + ": actual");
		assertEquals(e.initSites(), c.initSites(), w + ": init sites");
		assertEquals(e.locks(), c.locks(), w + ": locks seen");
		assertEquals(e.edges(), c.edges(), w + ": edges");
		System.out.println("   " + w + ": the same " + e.findings().size() + " potential, " + e.filtered().size()
				+ " filtered and " + e.actual().size() + " actual deadlocks, " + e.edges() + " edges");
	}

	private static List<String> describe(List<Finding> findings) {
		return findings.stream().map(f -> f.id() + " " + f.locks() + " " + f.filterReasons() + " " + new TreeSet<>(
				f.threads()) + " " + f.edges().stream().map(CountedCallsCheck::describe).collect(Collectors.joining(
						"; "))).sorted().toList();
	}

	private static String describe(Edge e) {
		Edge.Occurrence o = e.first();
		return e.from() + "->" + e.to() + " x" + e.count() + " " + new TreeSet<>(e.threads()) + " first: " + o.tid()
				+ " " + o.fromStack() + " " + o.fromFunction() + " " + o.toStack() + " " + o.toFunction() + " @"
				+ o.position();
	}
}
