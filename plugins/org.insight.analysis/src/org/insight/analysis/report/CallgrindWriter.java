package org.insight.analysis.report;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.profile.FunctionProfileAnalyzer;
import org.insight.analysis.profile.FunctionProfile.CallEdge;
import org.insight.analysis.profile.FunctionProfile.Function;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;

/**
 * The function profile as a Callgrind profile data file ("callgrind.out", format version 1, as Valgrind's
 * documentation describes it), which KCachegrind, QCachegrind and {@code callgrind_annotate} read. Two events:
 * {@code vns}, virtual nanoseconds of the calling thread, and {@code Entries}, function entries, so a function's
 * self {@code Entries} is its exact call count. Each function is at its entry's file:line; each call's cost line is
 * the callee's inclusive cost, at the caller's line (the call sites' own lines are not kept). Names and files use
 * the format's compression ({@code fn=(3) name} once, {@code fn=(3)} after).
 */
public final class CallgrindWriter {
	private final FunctionProfile p;
	private final SourceLines lines;
	private final PrintWriter out;
	private final Map<String, Integer> files = new HashMap<>();
	private final Map<Long, Integer> fns = new HashMap<>();

	private CallgrindWriter(FunctionProfile p, SourceLines lines, PrintWriter out) {
		this.p = p;
		this.lines = lines;
		this.out = out;
	}

	/** @param command the profiled command line, for the {@code cmd:} header */
	public static void write(FunctionProfile p, SourceLines lines, String command, PrintWriter out) {
		new CallgrindWriter(p, lines, out).write(command);
		out.flush();
	}

	private void write(String command) {
		long calls = p.functions().stream().mapToLong(Function::calls).sum();
		out.println("# callgrind format");
		out.println("version: 1");
		out.println("creator: insight (analyzer functions/" + FunctionProfileAnalyzer.VERSION + ", exact: every call hooked on a replay)");
		out.println("cmd: " + oneLine(command));
		out.println("positions: line");
		out.println("event: vns : virtual time (ns, the calling thread's own)");
		out.println("event: Entries : function entries");
		out.println("events: vns Entries");
		out.println("summary: " + p.totalNanos() + " " + calls);
		for (Function f : p.functions()) {
			out.println();
			out.println("fl=" + file(f.address()));
			out.println("fn=" + fn(f.address()));
			int line = line(f.address());
			out.println(line + " " + f.selfNanos() + " " + f.calls());
			for (CallEdge e : p.edges()) {
				if (e.caller() == f.address()) {
					out.println("cfi=" + file(e.callee()));
					out.println("cfn=" + fn(e.callee()));
					out.println("calls=" + e.calls() + " " + line(e.callee()));
					out.println(line + " " + e.inclusiveNanos() + " " + e.inclusiveCalls());
				}
			}
		}
		out.println();
		out.println("totals: " + p.totalNanos() + " " + calls);
	}

	private String file(long address) {
		SourceLocation.Frame f = lines.at(address).top();
		String name = f.file() == null ? "???" : f.file();
		return compressed(files, name, name);
	}

	private String fn(long address) {
		Integer id = fns.get(address);
		if (id != null) {
			return "(" + id + ")";
		}
		fns.put(address, fns.size() + 1);
		return "(" + fns.size() + ") " + oneLine(p.name(address));
	}

	private static String compressed(Map<String, Integer> ids, String key, String shown) {
		Integer id = ids.get(key);
		if (id != null) {
			return "(" + id + ")";
		}
		ids.put(key, ids.size() + 1);
		return "(" + ids.size() + ") " + oneLine(shown);
	}

	private int line(long address) {
		SourceLocation.Frame f = lines.at(address).top();
		return f.file() == null ? 0 : f.line();
	}

	private static String oneLine(String s) {
		return s.replace('\n', ' ').replace('\r', ' ');
	}
}
