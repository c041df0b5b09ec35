package org.insight.ui.tests;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.resources.IMarker;
import org.insight.core.analysis.AnalysisReport;
import org.insight.core.analysis.AnalysisReportException;
import org.insight.core.analysis.AnalyzerResult;
import org.insight.core.analysis.DeadlockReport;
import org.insight.core.analysis.ReportAnalyzer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * An analyzer contributed by this test bundle (plugin.xml, extension point org.insight.core.analyzers), as another
 * plug-in would: from the report's {@code locks} member, a row per lock that had contended acquisitions, its sites with
 * contention below it, and a warning marker on each such site.
 */
public final class ContendedLocksAnalyzer implements ReportAnalyzer {
	@Override
	public AnalyzerResult read(JsonElement member, AnalysisReport report) throws AnalysisReportException {
		if (!member.isJsonObject()) {
			throw new AnalysisReportException("member locks is not an object");
		}
		List<AnalyzerResult.Row> rows = new ArrayList<>();
		List<AnalyzerResult.Marker> markers = new ArrayList<>();
		for (JsonElement l : member.getAsJsonObject().getAsJsonArray("locks")) {
			JsonObject lock = l.getAsJsonObject();
			long contended = lock.getAsJsonObject("stats").get("contended").getAsLong();
			if (contended == 0) {
				continue;
			}
			String name = lock.get("name").getAsString();
			List<AnalyzerResult.Row> sites = new ArrayList<>();
			for (JsonElement s : lock.getAsJsonArray("sites")) {
				JsonObject site = s.getAsJsonObject();
				long here = site.getAsJsonObject("stats").get("contended").getAsLong();
				if (here == 0 || !site.get("site").isJsonObject()) {
					continue;
				}
				JsonObject f = site.getAsJsonObject("site");
				DeadlockReport.Frame frame = new DeadlockReport.Frame(f.get("function").getAsString(), f.get("file")
						.getAsString(), f.get("line").getAsInt());
				sites.add(new AnalyzerResult.Row(frame.function(), here + " contended", frame, List.of()));
				markers.add(new AnalyzerResult.Marker("CL-" + name, frame.file(), frame.line(),
						IMarker.SEVERITY_WARNING, "Contended lock " + name + ": " + here
								+ " contended acquisitions here"));
			}
			rows.add(new AnalyzerResult.Row(name, contended + " contended", null, sites));
		}
		return new AnalyzerResult(rows, markers);
	}
}
