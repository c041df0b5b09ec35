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
 * The JSON report, schema {@value #SCHEMA} version {@value #VERSION} (described in the bundle's README):
 * <pre>
 * { "schema": "insight-analysis", "version": 3, "program", "replay", "analyzers": [..],
 *   "deadlocks": { "locks", "edges", "truncated", "findings": [FINDING], "filtered": [FINDING],
 *                  "actual": [FINDING] } or null,
 *   "locks": LOCK_PROFILE or null,
 *   "functions": the function profile ({@link ProfileJson}) or null }
 * FINDING = { "id", "locks": [{"name","address","kind","init": [FRAME] or null}], "threads": [..],
 *             "reasons": [..] (filtered only), "edges": [{"from","to","count","threads",
 *             "first": {"thread","position","held": {"function","stack": [FRAME]},"acquired": {...}}}] }
 * FRAME = { "address" (return address), "function", "file", "line", "inlined": [{"function","file","line"}], "note" }
 * </pre>
 * {@code actual} (empty unless the run ended in a deadlock) holds the wait-for cycles of an actual
 * deadlock in the same form: edge i is thread {@code first.thread} holding {@code from} ({@code held}: where it took
 * it) and blocked waiting for {@code to} ({@code acquired}: the call it is blocked in, which never returned).
 * Version 3 added {@code "functions"}, the exact function profile ({@link ProfileJson}), after {@code "locks"}.
 * Version 2 added {@code "locks"}, the lock profile ({@link LockProfileJson}), after {@code "deadlocks"}; either is
 * null when its analyzer did not run.
 */
public final class JsonReport {
	public static final String SCHEMA = "insight-analysis";
	public static final int VERSION = 3;

	private final AnalysisResult r;
	private final PrintWriter out;

	private JsonReport(AnalysisResult r, PrintWriter out) {
		this.r = r;
		this.out = out;
	}

	public static void write(AnalysisResult r, PrintWriter out) {
		new JsonReport(r, out).write();
		out.flush();
	}

	private void write() {
		out.println("{");
		out.println("  \"schema\": " + Json.str(SCHEMA) + ",");
		out.println("  \"version\": " + VERSION + ",");
		out.println("  \"program\": " + Json.str(r.program()) + ",");
		out.println("  \"replay\": " + Json.str(r.verification()) + ",");
		out.println("  \"analyzers\": [" + String.join(", ", r.analyzers().stream().map(Json::str).toList()) + "],");
		out.println("  \"events\": " + r.events() + ",");
		out.println("  \"linesNote\": " + Json.str(r.lines().problem()) + ",");
		DeadlockResult d = r.deadlocks();
		if (d == null) {
			out.println("  \"deadlocks\": null,");
		} else {
			out.println("  \"deadlocks\": {\"locks\": " + d.locks() + ", \"edges\": " + d.edges() + ", \"truncated\": "
					+ d.truncated() + ",");
			out.println("    \"findings\": [" + findings(d.findings()) + "],");
			out.println("    \"filtered\": [" + findings(d.filtered()) + "],");
			out.println("    \"actual\": [" + findings(d.actual()) + "]},");
		}
		out.println("  \"locks\": " + (r.locks() == null ? "null" : LockProfileJson.of(r)) + ",");
		out.println("  \"functions\": " + (r.functions() == null ? "null" : ProfileJson.of(r.functions(), r.lines())));
		out.println("}");
	}

	private String findings(List<Finding> fs) {
		List<String> all = new ArrayList<>();
		for (Finding f : fs) {
			StringBuilder b = new StringBuilder("\n      {\"id\": " + Json.str(f.id()) + ", \"locks\": [");
			List<String> locks = new ArrayList<>();
			for (LockRef l : f.locks()) {
				CallStack init = r.deadlocks().initSites().get(l);
				locks.add("{\"name\": " + Json.str(r.names().of(l)) + ", \"address\": " + Json.hex(l.address())
						+ ", \"kind\": " + Json.str(l.kind()) + ", \"init\": " + (init == null ? "null" : stack(init))
						+ "}");
			}
			b.append(String.join(", ", locks)).append("], \"threads\": ").append(f.threads());
			if (f.filtered()) {
				b.append(", \"reasons\": [").append(String.join(", ", f.filterReasons().stream().map(Json::str)
						.toList())).append(']');
			}
			List<String> edges = new ArrayList<>();
			for (Edge e : f.edges()) {
				Edge.Occurrence o = e.first();
				edges.add("\n        {\"from\": " + Json.str(r.names().of(e.from())) + ", \"to\": " + Json.str(r.names()
						.of(e.to())) + ", \"count\": " + e.count() + ", \"threads\": " + new ArrayList<>(e.threads())
						+ ", \"first\": {\"thread\": " + o.tid() + ", \"position\": " + o.position()
						+ ", \"held\": {\"function\": " + Json.str(o.fromFunction()) + ", \"stack\": " + stack(o
								.fromStack()) + "}, \"acquired\": {\"function\": " + Json.str(o.toFunction())
						+ ", \"stack\": " + stack(o.toStack()) + "}}}");
			}
			b.append(", \"edges\": [").append(String.join(",", edges)).append("]}");
			all.add(b.toString());
		}
		return String.join(",", all);
	}

	private String stack(CallStack s) {
		List<String> frames = new ArrayList<>();
		for (int i = 0; i < s.depth(); i++) {
			frames.add(frame(r, s, i));
		}
		return "[" + String.join(", ", frames) + "]";
	}

	/** FRAME of return address {@code i} of {@code s}. */
	static String frame(AnalysisResult r, CallStack s, int i) {
		SourceLocation l = r.lines().at(s.callSite(i));
		SourceLocation.Frame top = l.top();
		List<String> inl = new ArrayList<>();
		for (SourceLocation.Frame f : l.frames().subList(1, l.frames().size())) {
			inl.add("{\"function\": " + Json.str(f.function()) + ", \"file\": " + Json.str(f.file())
					+ ", \"line\": " + f.line() + "}");
		}
		return "{\"address\": " + Json.hex(s.returnAddress(i)) + ", \"function\": " + Json.str(top.function())
				+ ", \"file\": " + Json.str(top.file()) + ", \"line\": " + top.line() + ", \"inlined\": ["
				+ String.join(", ", inl) + "], \"note\": " + Json.str(l.note()) + "}";
	}
}
