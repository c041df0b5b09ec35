package org.insight.core.analysis;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * Reads the engine's JSON report (schema {@code insight-analysis}, written by
 * {@code org.insight.analysis.report.JsonReport}): the members {@code deadlocks}, {@code locks} and
 * {@code functions} (the profiles by {@link ProfileJson}). Only the members it needs are read; other members (other analyses'
 * output, later additions) are ignored, so the report may grow without breaking the IDE.
 */
public final class AnalysisJson {
	static final String SCHEMA = "insight-analysis";

	private AnalysisJson() {
	}

	/** The deadlock part of the report in {@code json} of the analysis of {@code recording}. */
	public static DeadlockReport read(Path json, Path recording) throws AnalysisReportException {
		return readAll(json, recording).deadlocks();
	}

	/** The report in {@code json} of the analysis of {@code recording}: deadlocks, lock and function profiles. */
	public static AnalysisReport readAll(Path json, Path recording) throws AnalysisReportException {
		return readAll(json, recording, null);
	}

	/**
	 * As {@link #readAll(Path, Path)}, with the results of the contributed analyzers ({@link ReportAnalyzer}) of
	 * {@code selected} (null: each whose member the report has).
	 */
	static AnalysisReport readAll(Path json, Path recording, java.util.Collection<String> selected)
			throws AnalysisReportException {
		try (Reader in = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
			JsonElement root = JsonParser.parseReader(in);
			AnalysisReport report = parse(root, recording, json);
			return report.with(ContributedAnalyses.run(root.getAsJsonObject(), report, selected));
		} catch (IOException e) {
			throw new AnalysisReportException(NLS.bind(Messages.Report_unreadable, json, e.getMessage()), e);
		} catch (JsonParseException | IllegalStateException | UnsupportedOperationException
				| NumberFormatException | NullPointerException | ClassCastException e) {
			// a member missing or of another type than the schema says (another version, a hand-edited file)
			throw new AnalysisReportException(NLS.bind(Messages.Report_malformed, json, firstLine(e)), e);
		}
	}

	private static AnalysisReport parse(JsonElement root, Path recording, Path json) throws AnalysisReportException {
		if (!root.isJsonObject() || !SCHEMA.equals(string(root.getAsJsonObject(), "schema"))) {
			throw new AnalysisReportException(NLS.bind(Messages.Report_notAnalysis, json, SCHEMA));
		}
		JsonObject r = root.getAsJsonObject();
		List<DeadlockReport.Finding> findings = new ArrayList<>();
		List<DeadlockReport.Finding> filtered = new ArrayList<>();
		List<DeadlockReport.Finding> actual = new ArrayList<>();
		JsonElement d = r.get("deadlocks");
		if (d != null && d.isJsonObject()) {
			findings.addAll(findings(d.getAsJsonObject().get("findings"), false));
			filtered.addAll(findings(d.getAsJsonObject().get("filtered"), true));
			actual.addAll(findings(d.getAsJsonObject().get("actual"), false)); // absent before schema version 2
		}
		DeadlockReport deadlocks = new DeadlockReport(recording, string(r, "program"), string(r, "replay"), findings,
				filtered, actual);
		return new AnalysisReport(deadlocks, d != null && d.isJsonObject(), ProfileJson.locks(r.get("locks")),
				ProfileJson.functions(r.get("functions")));
	}

	private static List<DeadlockReport.Finding> findings(JsonElement array, boolean filtered) {
		List<DeadlockReport.Finding> out = new ArrayList<>();
		for (JsonElement e : array(array)) {
			JsonObject f = e.getAsJsonObject();
			List<String> locks = new ArrayList<>();
			for (JsonElement l : array(f.get("locks"))) {
				locks.add(string(l.getAsJsonObject(), "name"));
			}
			List<DeadlockReport.Edge> edges = new ArrayList<>();
			for (JsonElement x : array(f.get("edges"))) {
				edges.add(edge(x.getAsJsonObject()));
			}
			List<String> reasons = new ArrayList<>();
			for (JsonElement x : array(f.get("reasons"))) {
				reasons.add(x.getAsString());
			}
			out.add(new DeadlockReport.Finding(string(f, "id"), locks, edges, reasons, filtered));
		}
		return out;
	}

	private static DeadlockReport.Edge edge(JsonObject e) {
		String from = string(e, "from");
		String to = string(e, "to");
		JsonObject first = e.getAsJsonObject("first");
		return new DeadlockReport.Edge(from, to, number(e, "count"), number(first, "thread"),
				stack(from, first.getAsJsonObject("held")), stack(to, first.getAsJsonObject("acquired")));
	}

	static DeadlockReport.Frame frame(JsonObject f) {
		return new DeadlockReport.Frame(string(f, "function"), string(f, "file"), (int) number(f, "line"));
	}

	private static DeadlockReport.Stack stack(String lock, JsonObject s) {
		List<DeadlockReport.Frame> frames = new ArrayList<>();
		for (JsonElement x : array(s.get("stack"))) {
			frames.add(frame(x.getAsJsonObject()));
		}
		return new DeadlockReport.Stack(lock, string(s, "function"), frames);
	}

	static JsonArray array(JsonElement e) {
		return e == null || !e.isJsonArray() ? new JsonArray() : e.getAsJsonArray();
	}

	static String string(JsonObject o, String name) {
		JsonElement e = o.get(name);
		return e == null || e.isJsonNull() ? "" : e.getAsString();
	}

	static long number(JsonObject o, String name) {
		JsonElement e = o == null ? null : o.get(name);
		return e == null || e.isJsonNull() ? 0 : e.getAsLong();
	}

	private static String firstLine(Exception e) {
		String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
		int nl = m.indexOf('\n');
		return nl < 0 ? m : m.substring(0, nl);
	}
}
