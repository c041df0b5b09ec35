package org.insight.analysis.report;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.profile.FunctionProfile.CallEdge;
import org.insight.analysis.profile.FunctionProfile.Function;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;

/**
 * The function profile as text, in the manner of gprof: the flat profile (by self time), then the call graph (by
 * inclusive time), each function with its file:line. Counts are exact (every call is hooked, nothing is sampled);
 * times are each thread's own virtual time in milliseconds.
 */
public final class ProfileTextReport {
	private final FunctionProfile p;
	private final SourceLines lines;
	private final PrintWriter out;
	private final Map<Long, Integer> index = new HashMap<>();
	private final Map<Long, Function> byAddress = new HashMap<>();

	private ProfileTextReport(FunctionProfile p, SourceLines lines, PrintWriter out) {
		this.p = p;
		this.lines = lines;
		this.out = out;
		int i = 1;
		for (Function f : p.functions()) { // by inclusive time: gprof's call-graph order
			index.put(f.address(), i++);
			byAddress.put(f.address(), f);
		}
	}

	public static void write(FunctionProfile p, SourceLines lines, PrintWriter out) {
		new ProfileTextReport(p, lines, out).write();
		out.flush();
	}

	private void write() {
		out.println();
		out.println("Function profile, exact: " + p.hooked() + " functions hooked, " + p.functions().size()
				+ " called, " + p.threads() + (p.threads() == 1 ? " thread" : " threads") + ", " + ms(p.totalNanos())
				+ " ms of virtual time in all.");
		out.println("Every call is counted; times are each thread's own virtual time (guest time, exit handling left"
				+ " out).");
		flat();
		graph();
	}

	private void flat() {
		out.println();
		out.println("Flat profile:");
		out.println();
		out.println("  %   cumulative      self                self     total");
		out.println(" time         ms        ms       calls   us/call   us/call  name");
		List<Function> bySelf = p.functions().stream().sorted((a, b) -> a.selfNanos() != b.selfNanos()
				? Long.compare(b.selfNanos(), a.selfNanos())
				: a.calls() != b.calls() ? Long.compare(b.calls(), a.calls()) : p.name(a.address()).compareTo(p.name(
						b.address()))).toList();
		long cumulative = 0;
		for (Function f : bySelf) {
			cumulative += f.selfNanos();
			out.printf("%6.2f %10s %9s %11d %9s %9s  %s%n", percent(f.selfNanos()), ms(cumulative), ms(f
					.selfNanos()), f.calls(), perCall(f.selfNanos(), f.calls()), perCall(f.inclusiveNanos(), f
							.calls()), named(f.address()));
		}
	}

	private void graph() {
		out.println();
		out.println("Call graph:");
		out.println();
		out.println("index  % time      self  children      called      name");
		for (Function f : p.functions()) {
			for (CallEdge e : p.edges()) {
				if (e.callee() == f.address()) {
					if (e.caller() == FunctionProfile.ROOT) {
						out.printf("%46s%s%n", "", "<spontaneous>");
					} else {
						out.printf("%16s %9s %9s %15s      %s%n", "", ms(e.selfNanos()), ms(e.inclusiveNanos() - e
								.selfNanos()), e.calls() + "/" + f.calls(), ref(e.caller()));
					}
				}
			}
			String called = f.recursiveCalls() > 0 ? (f.calls() - f.recursiveCalls()) + "+" + f.recursiveCalls()
					: Long.toString(f.calls());
			String idx = "[" + index.get(f.address()) + "]";
			out.printf("%-6s %7.1f %9s %9s %15s    %s %s%s%n", idx, percent(f.inclusiveNanos()), ms(f.selfNanos()),
					ms(Math.max(0, f.inclusiveNanos() - f.selfNanos())), called, p.name(f.address()), idx,
					where(f.address()));
			for (CallEdge e : p.edges()) {
				if (e.caller() == f.address()) {
					Function callee = byAddress.get(e.callee());
					out.printf("%16s %9s %9s %15s      %s%n", "", ms(e.selfNanos()), ms(e.inclusiveNanos() - e
							.selfNanos()), e.calls() + "/" + callee.calls(), ref(e.callee()));
				}
			}
			out.println("-----------------------------------------------");
		}
		long unreturned = p.functions().stream().mapToLong(Function::unreturned).sum();
		if (unreturned > 0) {
			out.println();
			out.println(unreturned + " frames ended without their return (longjmp, or their thread's or the"
					+ " process's exit); each is counted up to where it ended:");
			for (Function f : p.functions()) {
				if (f.unreturned() > 0) {
					out.println("  " + p.name(f.address()) + ": " + f.unreturned() + " of " + f.calls());
				}
			}
		}
	}

	private String named(long address) {
		return p.name(address) + where(address);
	}

	private String ref(long address) {
		return p.name(address) + " [" + index.get(address) + "]";
	}

	/** " (calltree.c:24)" when the entry has a line, else "". */
	private String where(long address) {
		SourceLocation.Frame f = lines.at(address).top();
		return f.fileLine() == null ? "" : " (" + shortFile(f.file()) + ":" + f.line() + ")";
	}

	static String shortFile(String file) {
		int slash = file.lastIndexOf('/');
		return slash < 0 ? file : file.substring(slash + 1);
	}

	private double percent(long nanos) {
		return p.totalNanos() == 0 ? 0 : 100.0 * nanos / p.totalNanos();
	}

	static String ms(long nanos) {
		return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6);
	}

	private static String perCall(long nanos, long calls) {
		return calls == 0 ? "" : String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e3 / calls);
	}
}
