package org.insight.core.analysis;

import static org.insight.core.analysis.AnalysisJson.array;
import static org.insight.core.analysis.AnalysisJson.number;
import static org.insight.core.analysis.AnalysisJson.string;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Reads the profiles of the engine's JSON report: {@code locks} (the engine's {@code LockProfileJson}) and
 * {@code functions} ({@code ProfileJson}). A member that is null or absent (the analysis did not run) is empty;
 * unknown members are ignored.
 */
final class ProfileJson {
	private ProfileJson() {
	}

	static Optional<LockProfileReport> locks(JsonElement e) {
		if (e == null || !e.isJsonObject()) {
			return Optional.empty();
		}
		JsonObject p = e.getAsJsonObject();
		List<LockProfileReport.Lock> locks = new ArrayList<>();
		for (JsonElement x : array(p.get("locks"))) {
			JsonObject l = x.getAsJsonObject();
			List<LockProfileReport.Site> sites = new ArrayList<>();
			for (JsonElement y : array(l.get("sites"))) {
				JsonObject s = y.getAsJsonObject();
				JsonElement site = s.get("site");
				sites.add(new LockProfileReport.Site(string(s, "function"), site == null || !site.isJsonObject()
						? Optional.empty() : Optional.of(AnalysisJson.frame(site.getAsJsonObject())), stats(s)));
			}
			locks.add(new LockProfileReport.Lock(string(l, "name"), string(l, "address"), string(l, "kind"), string(l,
					"mode"), stats(l), sites));
		}
		return Optional.of(new LockProfileReport(string(p, "order"), number(p, "all"), statsOf(p.get("total")),
				locks));
	}

	/** The member {@code stats} of a lock or site. */
	private static LockProfileReport.Stats stats(JsonObject owner) {
		return statsOf(owner.get("stats"));
	}

	private static LockProfileReport.Stats statsOf(JsonElement e) {
		JsonObject s = e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
		return new LockProfileReport.Stats(number(s, "acquisitions"), number(s, "contended"), number(s,
				"failedTrylocks"), number(s, "waitTotalNs"), number(s, "waitMaxNs"), number(s, "waitMeanNs"), number(s,
						"holds"), number(s, "holdTotalNs"), number(s, "holdMaxNs"), number(s, "holdMeanNs"), number(s,
								"heldAtExit"));
	}

	static Optional<FunctionProfileReport> functions(JsonElement e) {
		if (e == null || !e.isJsonObject()) {
			return Optional.empty();
		}
		JsonObject p = e.getAsJsonObject();
		List<FunctionProfileReport.Function> functions = new ArrayList<>();
		for (JsonElement x : array(p.get("functions"))) {
			JsonObject f = x.getAsJsonObject();
			functions.add(new FunctionProfileReport.Function(string(f, "name"), string(f, "address"), string(f, "file"),
					(int) number(f, "line"), number(f, "calls"), number(f, "recursiveCalls"), number(f, "selfNanos"),
					number(f, "inclusiveNanos"), number(f, "unreturned")));
		}
		List<FunctionProfileReport.Edge> edges = new ArrayList<>();
		for (JsonElement x : array(p.get("edges"))) {
			JsonObject f = x.getAsJsonObject();
			edges.add(new FunctionProfileReport.Edge(string(f, "caller"), string(f, "callee"), number(f, "calls"), number(
					f, "selfNanos"), number(f, "inclusiveNanos"), number(f, "inclusiveCalls")));
		}
		List<FunctionProfileReport.CallPath> paths = new ArrayList<>();
		for (JsonElement x : array(p.get("paths"))) {
			JsonObject f = x.getAsJsonObject();
			List<String> stack = new ArrayList<>();
			for (JsonElement s : array(f.get("stack"))) {
				stack.add(s.getAsString());
			}
			paths.add(new FunctionProfileReport.CallPath(stack, number(f, "calls"), number(f, "selfNanos")));
		}
		return Optional.of(new FunctionProfileReport(number(p, "hooked"), number(p, "threads"), number(p, "totalNanos"),
				functions, edges, paths));
	}
}
