package org.insight.core.analysis;

import java.nio.file.Path;
import java.util.List;

/**
 * The deadlock part of one analysis of a recording, as the engine reported it ({@code insight analyze --format json},
 * schema {@code insight-analysis}): the potential deadlocks and the cycles it filtered out, each with its edges and
 * both acquisition stacks. Immutable; the IDE's views and markers are built from it.
 *
 * @param recording the analyzed recording
 * @param replay    the engine's verdict on the replay the analysis ran on ("replay verified: ...")
 * @param findings  the potential deadlocks
 * @param filtered  the cycles filtered out, each with its reasons
 * @param actual    the actual deadlocks: the wait-for cycles the run ended in (edge i: thread i holds {@code from},
 *                  taken at {@code held}, and is blocked waiting for {@code to} at {@code acquired})
 */
public record DeadlockReport(Path recording, String program, String replay, List<Finding> findings,
		List<Finding> filtered, List<Finding> actual) {

	public DeadlockReport {
		findings = List.copyOf(findings);
		filtered = List.copyOf(filtered);
		actual = List.copyOf(actual);
	}

	/** A report of a run that did not end in a deadlock. */
	public DeadlockReport(Path recording, String program, String replay, List<Finding> findings,
			List<Finding> filtered) {
		this(recording, program, replay, findings, filtered, List.of());
	}

	/** A lock-order cycle: its stable id, its locks, its edges; reasons when it was filtered out. */
	public record Finding(String id, List<String> locks, List<Edge> edges, List<String> reasons, boolean filtered) {
		public Finding {
			locks = List.copyOf(locks);
			edges = List.copyOf(edges);
			reasons = List.copyOf(reasons);
		}
	}

	/**
	 * Lock {@code to} taken while {@code from} was held, as first seen: {@code held} is where {@code from} was
	 * acquired, {@code acquired} where {@code to} was.
	 */
	public record Edge(String from, String to, long count, long thread, Stack held, Stack acquired) {
	}

	/** One acquisition: the function that took the lock and the call stack, innermost first. */
	public record Stack(String lock, String function, List<Frame> frames) {
		public Stack {
			frames = List.copyOf(frames);
		}
	}

	/** A frame of a stack: its function and source position (file is "" and line 0 where the engine knew none). */
	public record Frame(String function, String file, int line) {
		public boolean hasSource() {
			return !file.isEmpty() && !file.equals("??") && line > 0;
		}

		/** {@code file:line}, or "" without a source position. */
		public String fileLine() {
			return hasSource() ? file + ":" + line : "";
		}
	}
}
