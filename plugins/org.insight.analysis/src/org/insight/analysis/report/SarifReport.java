package org.insight.analysis.report;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * The potential deadlocks as SARIF 2.1.0 (what code-scanning services and the SARIF viewers of IDEs read). One
 * {@code result} per cycle, rule {@value #RULE}: its message names the cycle's locks and threads as the text report
 * does, its location is where the first edge's second lock was acquired, its related locations are the other
 * acquisition sites, and one code flow has a thread flow per edge with both acquisition stacks (held, then acquired).
 * {@code partialFingerprints} carries the finding's stable id, so a service matches it across analyses. An actual
 * deadlock (the run ended in it) is a result of rule {@value #ACTUAL_RULE}, level error, in the
 * same form: each thread flow is a thread with the lock it holds and the one it waits for.
 * <p>
 * Filtered cycles are results too, with a {@code suppressions} entry (kind external, status accepted, the filter's
 * reasons as justification) rather than left out: SARIF viewers (VS Code's SARIF viewer, GitHub code scanning) hide
 * or close suppressed results by default but still show them on request, so the explanation of why a cycle is no
 * deadlock stays available, and a cycle that stops being filtered keeps its fingerprint. "external" because the
 * suppression is the analyzer's verdict, not an annotation in the source.
 * <p>
 * Written by hand like {@link JsonReport} (with {@link Json}): the bundles carry no JSON library, and this output is
 * a few fixed shapes.
 */
public final class SarifReport {
	public static final String SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
	public static final String RULE = "insight.potential-deadlock";
	/** The rule of an actual deadlock (the run ended in it), at level error. */
	public static final String ACTUAL_RULE = "insight.actual-deadlock";
	/** The tool's version, as the insight command's --version says it. */
	public static final String TOOL_VERSION = "0.1.0";
	/**
	 * The tool's home page for {@code tool.driver.informationUri}: none yet, the project has no public address, and a
	 * made-up one would send readers astray; the property is left out while this is null.
	 */
	public static final String INFORMATION_URI = null;

	private final AnalysisResult r;
	private final PrintWriter out;

	private SarifReport(AnalysisResult r, PrintWriter out) {
		this.r = r;
		this.out = out;
	}

	public static void write(AnalysisResult r, PrintWriter out) {
		new SarifReport(r, out).write();
		out.flush();
	}

	private void write() {
		out.println("{");
		out.println("  \"$schema\": " + Json.str(SCHEMA_URI) + ",");
		out.println("  \"version\": \"2.1.0\",");
		out.println("  \"runs\": [{");
		out.println("    \"tool\": {\"driver\": {\"name\": \"InSight\", \"version\": " + Json.str(TOOL_VERSION)
				+ (INFORMATION_URI == null ? "" : ", \"informationUri\": " + Json.str(INFORMATION_URI)) + ",");
		out.println("      \"rules\": [" + rule() + ", " + actualRule() + "]}},");
		out.println("    \"invocations\": [{\"executionSuccessful\": true, \"toolExecutionNotifications\": ["
				+ notifications() + "]}],");
		List<String> results = new ArrayList<>();
		DeadlockResult d = r.deadlocks();
		if (d != null) {
			for (Finding f : d.actual()) {
				results.add(result(f, true));
			}
			for (Finding f : d.findings()) {
				results.add(result(f, false));
			}
			for (Finding f : d.filtered()) {
				results.add(result(f, false));
			}
		}
		out.println("    \"results\": [" + String.join(",", results) + "],");
		out.println("    \"properties\": {\"program\": " + Json.str(r.program()) + ", \"replay\": " + Json.str(r
				.verification()) + ", \"analyzers\": [" + String.join(", ", r.analyzers().stream().map(Json::str)
						.toList()) + "], \"events\": " + r.events() + "}");
		out.println("  }]");
		out.println("}");
	}

	private static String rule() {
		return "{\"id\": " + Json.str(RULE) + ", \"name\": \"PotentialDeadlock\", \"shortDescription\": {\"text\": "
				+ Json.str("Lock-order cycle between concurrent threads (potential deadlock)")
				+ "}, \"fullDescription\": {\"text\": " + Json.str("Threads acquired the same locks in different"
						+ " orders: each edge A -> B of the cycle is a thread acquiring B while holding A. If every edge"
						+ " is under way at once, each in its own thread, the threads wait for each other forever. The"
						+ " replay saw the orders, not the deadlock itself.")
				+ "}, \"help\": {\"text\": " + Json.str("Acquire the cycle's locks in one global order in every"
						+ " thread, or take them under one gate lock. Each edge's two acquisition stacks are in the"
						+ " result's code flow.")
				+ "}, \"defaultConfiguration\": {\"level\": \"warning\"}}";
	}

	private static String actualRule() {
		return "{\"id\": " + Json.str(ACTUAL_RULE) + ", \"name\": \"ActualDeadlock\", \"shortDescription\": {\"text\": "
				+ Json.str("Threads blocked for ever, each waiting for a lock another holds (actual deadlock)")
				+ "}, \"fullDescription\": {\"text\": " + Json.str("The recorded run ended in a deadlock:"
						+ " each thread of the cycle holds a lock and waits for the next thread's. The replay reproduced"
						+ " it.")
				+ "}, \"help\": {\"text\": " + Json.str("Acquire the cycle's locks in one global order in every"
						+ " thread. Each thread's two stacks (where it took the lock it holds, where it waits) are in the"
						+ " result's code flow.")
				+ "}, \"defaultConfiguration\": {\"level\": \"error\"}}";
	}

	private String notifications() {
		List<String> n = new ArrayList<>();
		if (r.lines().problem() != null) {
			n.add(note(r.lines().problem()));
		}
		if (r.deadlocks() != null && r.deadlocks().truncated()) {
			n.add(note("the cycle search stopped at its limit, more cycles may exist"));
		}
		return String.join(", ", n);
	}

	private static String note(String text) {
		return "{\"level\": \"note\", \"message\": {\"text\": " + Json.str(text) + "}}";
	}

	private String result(Finding f, boolean actual) {
		StringBuilder b = new StringBuilder("\n      {\"ruleId\": " + Json.str(actual ? ACTUAL_RULE : RULE)
				+ ", \"ruleIndex\": " + (actual ? 1 : 0) + ", \"level\": " + (actual ? "\"error\"" : "\"warning\"")
				+ ", \"message\": {\"text\": " + Json.str(actual ? actualMessage(f) : message(f)) + "},");
		String takes = actual ? " waits for " : " acquired ";
		Edge first = f.edges().get(0);
		b.append("\n       \"locations\": [").append(location(first.first().toStack(), -1, null)).append("],");
		List<String> related = new ArrayList<>();
		int id = 1;
		for (Edge e : f.edges()) {
			Edge.Occurrence o = e.first();
			if (e != first) {
				related.add(location(o.toStack(), id++, "thread " + o.tid() + takes + name(e.to())
						+ " while holding " + name(e.from())));
			}
			related.add(location(o.fromStack(), id++, "thread " + o.tid() + " acquired " + name(e.from())
					+ " (held when it" + takes + name(e.to()) + ")"));
		}
		b.append("\n       \"relatedLocations\": [").append(String.join(", ", related)).append("],");
		List<String> threadFlows = new ArrayList<>();
		for (Edge e : f.edges()) {
			Edge.Occurrence o = e.first();
			List<String> steps = new ArrayList<>();
			steps.add(step(o.fromStack(), "thread " + o.tid() + " acquires " + name(e.from()) + " ("
					+ o.fromFunction() + ")"));
			steps.add(step(o.toStack(), "thread " + o.tid() + (actual ? " waits for " : " acquires ") + name(e.to())
					+ " while holding " + name(e.from()) + " (" + o.toFunction() + "; " + (actual ? "since trace frame "
							+ o.position() : plural(e.count(), "time") + ", first at trace frame " + o.position())
					+ ")"));
			threadFlows.add("{\"id\": " + Json.str("thread " + o.tid()) + ", \"message\": {\"text\": " + Json.str(
					name(e.from()) + " -> " + name(e.to()) + " by thread " + o.tid()) + "}, \"locations\": ["
					+ String.join(", ", steps) + "]}");
		}
		b.append("\n       \"codeFlows\": [{\"message\": {\"text\": " + Json.str(cycle(f)) + "}, \"threadFlows\": [")
				.append(String.join(",\n         ", threadFlows)).append("]}],");
		b.append("\n       \"partialFingerprints\": {\"insightFindingId/v1\": ").append(Json.str(f.id())).append("},");
		b.append("\n       \"properties\": {\"id\": ").append(Json.str(f.id())).append(", \"locks\": [")
				.append(String.join(", ", f.locks().stream().map(l -> Json.str(name(l))).toList()))
				.append("], \"threads\": ").append(f.threads()).append('}');
		if (f.filtered()) {
			b.append(",\n       \"suppressions\": [{\"kind\": \"external\", \"status\": \"accepted\", \"justification\": ")
					.append(Json.str(String.join("; ", f.filterReasons()))).append("}]");
		}
		return b.append('}').toString();
	}

	private String actualMessage(Finding f) {
		return "Actual deadlock " + f.id() + ": the run ended with threads " + String.join(", ", f.threads().stream()
				.map(String::valueOf).toList()) + " blocked for ever, each waiting for a lock the next one holds: "
				+ cycle(f);
	}

	/** Like the text report's heading. */
	private String message(Finding f) {
		String head = (f.filtered() ? "Filtered lock order cycle " : "Potential deadlock ") + f.id() + ": "
				+ "lock order cycle of " + plural(f.locks().size(), "lock") + " between threads " + String.join(", ", f
						.threads().stream().map(String::valueOf).toList()) + ": " + cycle(f);
		return f.filtered() ? head + " (not a deadlock because of " + f.filterReasons().get(0) + ")" : head;
	}

	/** A step of a thread flow: the acquisition site, with the whole stack in its properties. */
	private String step(CallStack s, String text) {
		return "{\"location\": " + location(s, -1, text) + ", \"kinds\": [\"acquire\"], \"properties\": {\"stack\": "
				+ stack(s) + "}}";
	}

	/**
	 * A SARIF location for the innermost frame of {@code s} with a file (the acquisition's call site in the program's
	 * source); without one, a logical location (the function) only.
	 */
	private String location(CallStack s, int id, String text) {
		StringBuilder b = new StringBuilder("{");
		if (id >= 0) {
			b.append("\"id\": ").append(id).append(", ");
		}
		SourceLocation.Frame f = frameWithFile(s);
		if (f != null) {
			b.append("\"physicalLocation\": {\"artifactLocation\": {\"uri\": ").append(Json.str(uri(f.file())))
					.append("}, \"region\": {\"startLine\": ").append(Math.max(1, f.line())).append("}}, ");
		}
		String function = f != null ? f.function()
				: s.depth() > 0 ? r.lines().at(s.callSite(0)).top().function() : "unknown";
		b.append("\"logicalLocations\": [{\"name\": ").append(Json.str(function)).append(", \"kind\": \"function\"}]");
		if (text != null) {
			b.append(", \"message\": {\"text\": ").append(Json.str(text)).append('}');
		}
		return b.append('}').toString();
	}

	private SourceLocation.Frame frameWithFile(CallStack s) {
		for (int i = 0; i < s.depth(); i++) {
			SourceLocation.Frame f = r.lines().at(s.callSite(i)).top();
			if (f.file() != null) {
				return f;
			}
		}
		return null;
	}

	/** An absolute file:// URI; a relative DWARF name stays a relative reference (SARIF allows those). */
	static String uri(String file) {
		Path p = Path.of(file);
		if (p.isAbsolute()) {
			return p.normalize().toUri().toString();
		}
		List<String> parts = new ArrayList<>();
		for (String part : file.split("/", -1)) {
			parts.add(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
		}
		return String.join("/", parts);
	}

	private String stack(CallStack s) {
		List<String> frames = new ArrayList<>();
		for (int i = 0; i < s.depth(); i++) {
			SourceLocation l = r.lines().at(s.callSite(i));
			SourceLocation.Frame top = l.top();
			frames.add("{\"address\": " + Json.hex(s.returnAddress(i)) + ", \"function\": " + Json.str(top.function())
					+ ", \"file\": " + Json.str(top.file()) + ", \"line\": " + top.line() + "}");
		}
		return "[" + String.join(", ", frames) + "]";
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

	private static String plural(long n, String what) {
		return n + " " + what + (n == 1 ? "" : "s");
	}
}
