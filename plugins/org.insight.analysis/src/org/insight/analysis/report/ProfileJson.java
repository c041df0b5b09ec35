package org.insight.analysis.report;

import java.util.ArrayList;
import java.util.List;

import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.profile.FunctionProfile.CallEdge;
import org.insight.analysis.profile.FunctionProfile.CallPath;
import org.insight.analysis.profile.FunctionProfile.Function;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;

/**
 * The function profile's member of the JSON report (schema insight-analysis, added in version 3):
 * <pre>
 * "functions": { "hooked", "threads", "totalNanos",
 *   "functions": [{"name","address","file","line","calls","recursiveCalls","selfNanos","inclusiveNanos","unreturned"}],
 *   "edges": [{"caller" (null: a thread's first frame),"callee","calls","selfNanos","inclusiveNanos","inclusiveCalls"}],
 *   "paths": [{"stack": [names, outermost first],"calls","selfNanos"}] }
 * </pre>
 */
final class ProfileJson {
	private ProfileJson() {
	}

	static String of(FunctionProfile p, SourceLines lines) {
		List<String> fs = new ArrayList<>();
		for (Function f : p.functions()) {
			SourceLocation.Frame top = lines.at(f.address()).top();
			fs.add("\n      {\"name\": " + Json.str(p.name(f.address())) + ", \"address\": " + Json.hex(f.address())
					+ ", \"file\": " + Json.str(top.file()) + ", \"line\": " + top.line() + ", \"calls\": " + f.calls()
					+ ", \"recursiveCalls\": " + f.recursiveCalls() + ", \"selfNanos\": " + f.selfNanos()
					+ ", \"inclusiveNanos\": " + f.inclusiveNanos() + ", \"unreturned\": " + f.unreturned() + "}");
		}
		List<String> es = new ArrayList<>();
		for (CallEdge e : p.edges()) {
			es.add("\n      {\"caller\": " + (e.caller() == FunctionProfile.ROOT ? "null" : Json.str(p.name(e
					.caller()))) + ", \"callee\": " + Json.str(p.name(e.callee())) + ", \"calls\": " + e.calls()
					+ ", \"selfNanos\": " + e.selfNanos() + ", \"inclusiveNanos\": " + e.inclusiveNanos()
					+ ", \"inclusiveCalls\": " + e.inclusiveCalls() + "}");
		}
		List<String> ps = new ArrayList<>();
		for (CallPath c : p.paths()) {
			ps.add("\n      {\"stack\": [" + String.join(", ", c.functions().stream().map(a -> Json.str(p.name(a)))
					.toList()) + "], \"calls\": " + c.calls() + ", \"selfNanos\": " + c.selfNanos() + "}");
		}
		return "{\"hooked\": " + p.hooked() + ", \"threads\": " + p.threads() + ", \"totalNanos\": " + p.totalNanos()
				+ ",\n    \"functions\": [" + String.join(",", fs) + "],\n    \"edges\": [" + String.join(",", es)
				+ "],\n    \"paths\": [" + String.join(",", ps) + "]}";
	}
}
