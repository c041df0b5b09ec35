package org.insight.analysis.profile;

import java.util.List;
import java.util.Map;

/**
 * The exact function profile of one replay: per function, per caller-to-callee edge and per call path. Times are
 * virtual nanoseconds of the calling thread's own clock (guest time with the VMM's exit handling left out), so they
 * are measurements, never deterministic; counts are exact.
 *
 * @param functions   every function entered at least once, by inclusive time, then name
 * @param edges       caller to callee, by calls; a thread's first frame has caller {@link #ROOT}
 * @param paths       every call path from a thread's first frame, in first-seen order (folded stacks)
 * @param names       every hooked function's name, by entry address
 * @param hooked      how many functions were hooked
 * @param totalNanos  the self time of every frame: the profiled time of all threads
 * @param threads     the threads that entered a function
 */
public record FunctionProfile(List<Function> functions, List<CallEdge> edges, List<CallPath> paths,
		Map<Long, String> names, int hooked, long totalNanos, int threads) {
	/** The caller of a thread's first frame. */
	public static final long ROOT = 0;

	public FunctionProfile {
		functions = List.copyOf(functions);
		edges = List.copyOf(edges);
		paths = List.copyOf(paths);
		names = Map.copyOf(names);
	}

	/** The name of the function at {@code address}, or "0x..." for one not hooked ("&lt;spontaneous&gt;" for ROOT). */
	public String name(long address) {
		if (address == ROOT) {
			return "<spontaneous>";
		}
		String n = names.get(address);
		return n != null ? n : "0x" + Long.toHexString(address);
	}

	/**
	 * One function's totals.
	 *
	 * @param calls          every entry, recursive ones included
	 * @param recursiveCalls entries while a frame of the same function was open in the thread
	 * @param selfNanos      time in the function itself, its callees' left out
	 * @param inclusiveNanos time in the function and its callees, counted once under recursion (outermost frames only)
	 * @param unreturned     frames that ended without their return: unwound (longjmp), or ended by their thread's
	 *                       exit or the process's
	 */
	public record Function(long address, long calls, long recursiveCalls, long selfNanos, long inclusiveNanos,
			long unreturned) {
	}

	/**
	 * Calls from {@code caller} to {@code callee}; a tail call (a jump to the callee in the caller's place) counts as
	 * the caller's, whose inclusive time then lasts until the callee returns, as the source reads.
	 *
	 * @param selfNanos      the callee's self time in these calls
	 * @param inclusiveNanos the callee's inclusive time in these calls (a recursive callee's nested frames count in
	 *                       each of theirs)
	 * @param inclusiveCalls the function entries in these calls' frames and below (the calls themselves included)
	 */
	public record CallEdge(long caller, long callee, long calls, long selfNanos, long inclusiveNanos,
			long inclusiveCalls) {
	}

	/**
	 * A call path, outermost function first, with its calls and its last function's self time along it. Paths fold
	 * recursion: a recursive entry counts on the path of its function's outermost open frame, so no path repeats a
	 * function (the edges and {@link Function#recursiveCalls()} still count every recursive call).
	 */
	public record CallPath(List<Long> functions, long calls, long selfNanos) {
		public CallPath {
			functions = List.copyOf(functions);
		}
	}
}
