package org.insight.core.analysis;

import java.util.List;
import java.util.Optional;

/**
 * The exact function profile of one analysis, as the engine reported it (member {@code functions} of the JSON
 * report, schema {@code insight-analysis} version 3; only with {@code insight analyze --functions}): per function,
 * calls and self and inclusive time; the caller to callee edges; the call paths with their self time, from which
 * {@link CallTree} builds the call tree and the flame graph. Times are virtual nanoseconds. Immutable.
 *
 * @param hooked     the number of functions the engine hooked
 * @param threads    the number of threads profiled
 * @param totalNanos the time profiled, over all threads
 */
public record FunctionProfileReport(long hooked, long threads, long totalNanos, List<Function> functions,
		List<Edge> edges, List<CallPath> paths) {

	public FunctionProfileReport {
		functions = List.copyOf(functions);
		edges = List.copyOf(edges);
		paths = List.copyOf(paths);
	}

	/** The function named {@code name}, if the profile has it. */
	public Optional<Function> function(String name) {
		return functions.stream().filter(f -> f.name().equals(name)).findFirst();
	}

	/** A function: where it is defined, its calls (recursive ones among them), its self and inclusive time. */
	public record Function(String name, String address, String file, int line, long calls, long recursiveCalls,
			long selfNanos, long inclusiveNanos, long unreturned) {

		/** Its definition as a frame (for the editor). */
		public DeadlockReport.Frame frame() {
			return new DeadlockReport.Frame(name, file, line);
		}
	}

	/** Calls from {@code caller} ("" for a thread's first frame) to {@code callee}. */
	public record Edge(String caller, String callee, long calls, long selfNanos, long inclusiveNanos,
			long inclusiveCalls) {
	}

	/** A call path, outermost function first, with the calls of its innermost function and their self time. */
	public record CallPath(List<String> stack, long calls, long selfNanos) {
		public CallPath {
			stack = List.copyOf(stack);
		}
	}
}
