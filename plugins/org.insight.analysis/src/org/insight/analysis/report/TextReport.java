package org.insight.analysis.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.CallStack;
import org.insight.analysis.LockRef;
import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Edge;
import org.insight.analysis.deadlock.Finding;
import org.insight.analysis.source.SourceLocation;

/**
 * The text report, in the manner of Helgrind's and lockdep's lock-order reports: the cycle, then each edge with the
 * stacks of both of its acquisitions, every frame with its function and file:line; then the filtered cycles with
 * their reasons. An actual deadlock (the run ended in it) comes first, in the same form: the wait-for cycle, then each
 * thread with the stacks where it took the lock it holds and where it waits for the next.
 * The lock profile, when it ran, comes first ({@link LockProfileText}), so the report still ends with
 * the deadlocks' summary.
 */
public final class TextReport {
	private final AnalysisResult r;
	private final PrintWriter out;

	private TextReport(AnalysisResult r, PrintWriter out) {
		this.r = r;
		this.out = out;
	}

	public static void write(AnalysisResult r, PrintWriter out) {
		new TextReport(r, out).write();
		out.flush();
	}

	private void write() {
		out.println("InSight analysis of " + r.program());
		out.println("  " + r.verification());
		String hooks = r.hooked().isEmpty() && r.functions() != null
				? r.functions().functions().size() + " functions profiled"
				: r.hooked().size() + " lock and thread functions hooked";
		out.println("  analyzers " + String.join(", ", r.analyzers()) + "; " + hooks + "; " + r.events() + " events");
		if (r.lines().problem() != null) {
			out.println("  note: " + r.lines().problem());
		}
		if (r.hooked().isEmpty() && (r.locks() != null || r.deadlocks() != null)) {
			// the hooks are found by name in the program's symbols and in those of every library ld.so mapped
			out.println("  note: no lock function was found in the symbols of the program or of its libraries, so the"
					+ " lock analyses saw no lock (a program stripped of its symbol table: build it with -g, unstripped)");
		}
		if (r.locks() != null) {
			out.println();
			LockProfileText.write(r, out);
		}
		DeadlockResult d = r.deadlocks();
		if (d == null) {
			return;
		}
		for (Finding f : d.actual()) {
			out.println();
			actual(f);
		}
		for (Finding f : d.findings()) {
			out.println();
			finding(f);
		}
		for (Finding f : d.filtered()) {
			out.println();
			filtered(f);
		}
		out.println();
		if (!d.actual().isEmpty()) {
			out.println(plural(d.actual().size(), "actual deadlock") + ": the run ended in "
					+ (d.actual().size() == 1 ? "it" : "them") + ", its threads blocked for ever.");
		}
		out.println(plural(d.findings().size(), "potential deadlock") + ", " + plural(d.filtered().size(),
				"cycle") + " filtered out (" + plural(d.locks(), "lock") + ", " + plural(d.edges(), "lock-order edge")
				+ (d.truncated() ? "; the cycle search stopped at its limit, more cycles may exist" : "") + ").");
	}

	private void finding(Finding f) {
		out.println("Potential deadlock " + f.id() + ": lock order cycle of " + plural(f.locks().size(), "lock")
				+ " between threads " + join(f.threads()));
		out.println("  " + cycle(f));
		for (Edge e : f.edges()) {
			edge(e);
		}
		initSites(f);
	}

	/** An actual deadlock: the wait-for cycle, each thread with the lock it holds and the one it waits for. */
	private void actual(Finding f) {
		out.println("Actual deadlock " + f.id() + ": the run ended with threads " + join(f.threads())
				+ " blocked for ever, each waiting for a lock that the next one holds");
		out.println("  " + cycle(f));
		for (Edge e : f.edges()) {
			Edge.Occurrence o = e.first();
			out.println();
			out.println("  Thread " + o.tid() + " holds " + name(e.from()) + " and waits for " + name(e.to())
					+ " (since trace frame " + o.position() + "):");
			out.println("    " + name(e.from()) + " was acquired (" + o.fromFunction() + ") at");
			stack(o.fromStack(), "      ");
			out.println("    " + name(e.to()) + " is waited for (" + o.toFunction() + ") at");
			stack(o.toStack(), "      ");
		}
		initSites(f);
	}

	private void initSites(Finding f) {
		for (LockRef l : f.locks()) {
			CallStack init = r.deadlocks().initSites().get(l);
			if (init == null) {
				out.println("  " + name(l) + " (" + l.kind() + " at 0x" + Long.toHexString(l.address())
						+ "): static initializer (no init call seen)");
			} else {
				out.println("  " + name(l) + " (" + l.kind() + " at 0x" + Long.toHexString(l.address())
						+ ") was initialised at");
				stack(init, "      ");
			}
		}
	}

	private void filtered(Finding f) {
		out.println("Filtered cycle " + f.id() + " (not a deadlock): " + cycle(f));
		for (String why : f.filterReasons()) {
			out.println("  because of " + why);
		}
		for (Edge e : f.edges()) {
			Edge.Occurrence o = e.first();
			out.println("  " + name(e.from()) + " -> " + name(e.to()) + " by thread" + (e.threads().size() > 1 ? "s "
					: " ") + join(new ArrayList<>(e.threads())) + " at " + where(o.toStack()));
		}
	}

	private void edge(Edge e) {
		Edge.Occurrence o = e.first();
		out.println();
		out.println("  Thread " + o.tid() + " acquired " + name(e.to()) + " while holding " + name(e.from()) + " ("
				+ plural(e.count(), "time") + (e.threads().size() > 1 ? " by threads " + join(new ArrayList<>(
						e.threads())) : "") + "; first at trace frame " + o.position() + "):");
		out.println("    " + name(e.from()) + " was acquired (" + o.fromFunction() + ") at");
		stack(o.fromStack(), "      ");
		out.println("    " + name(e.to()) + " was acquired (" + o.toFunction() + ") at");
		stack(o.toStack(), "      ");
	}

	private void stack(CallStack s, String indent) {
		for (int i = 0; i < s.depth(); i++) {
			SourceLocation l = r.lines().at(s.callSite(i));
			List<SourceLocation.Frame> frames = l.frames();
			out.printf("%s#%d 0x%x in %s%n", indent, i, s.returnAddress(i), frame(frames.get(0), l.note()));
			for (int k = 1; k < frames.size(); k++) {
				out.printf("%s   inlined into %s%n", indent, frame(frames.get(k), null));
			}
		}
	}

	private static String frame(SourceLocation.Frame f, String note) {
		return f.function() + (f.file() != null ? " at " + f.fileLine() : note != null ? " (" + note + ")" : "");
	}

	private String where(CallStack s) {
		if (s.depth() == 0) {
			return "an unknown place";
		}
		SourceLocation.Frame f = r.lines().at(s.callSite(0)).top();
		return f.function() + (f.file() != null ? " (" + f.fileLine() + ")" : "");
	}

	private String cycle(Finding f) {
		StringBuilder b = new StringBuilder();
		for (LockRef l : f.locks()) {
			b.append(name(l)).append(" -> ");
		}
		return b.append(name(f.locks().get(0))).toString();
	}

	private String name(LockRef l) {
		return r.names().of(l);
	}

	private static String join(List<Integer> tids) {
		return String.join(", ", tids.stream().map(String::valueOf).toList());
	}

	private static String plural(long n, String what) {
		return n + " " + what + (n == 1 ? "" : "s");
	}
}
