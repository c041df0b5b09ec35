package org.insight.analysis.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.insight.analysis.profile.FunctionProfile;

/**
 * The function profile as folded stacks, one call path a line, outermost function first: {@code main;foo;bar 1234},
 * the format Brendan Gregg's {@code flamegraph.pl}, inferno and speedscope read. The value is the path's self time in
 * virtual nanoseconds ({@link Metric#TIME}), or its exact call count ({@link Metric#CALLS}); paths worth 0 are left
 * out, as the tools draw nothing for them. A {@code ;} inside a name would split it, so it is written as {@code :}.
 */
public final class FoldedStacks {
	/** What a line's number is. */
	public enum Metric {
		TIME, CALLS
	}

	private FoldedStacks() {
	}

	public static void write(FunctionProfile p, Metric metric, PrintWriter out) {
		for (String line : lines(p, metric)) {
			out.println(line);
		}
		out.flush();
	}

	static List<String> lines(FunctionProfile p, Metric metric) {
		List<String> all = new ArrayList<>();
		for (FunctionProfile.CallPath path : p.paths()) {
			long value = metric == Metric.TIME ? path.selfNanos() : path.calls();
			if (value == 0) {
				continue;
			}
			List<String> names = path.functions().stream().map(a -> p.name(a).replace(';', ':').replace(' ', '_')
					.replace('\n', '_')).toList();
			all.add(String.join(";", names) + " " + value);
		}
		return all;
	}
}
