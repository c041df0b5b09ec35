package org.insight.core.analysis;

import com.google.gson.JsonElement;

/**
 * What an analyzer contributed to the extension point {@code org.insight.core.analyzers} (attribute {@code class})
 * implements: it turns its member of the engine's JSON report into rows and problem markers. It runs in the import job
 * (never on the UI thread); a contribution that throws is logged and left out, the rest of the import goes on.
 */
public interface ReportAnalyzer {
	/**
	 * @param member the report's member named by the contribution (present and not null)
	 * @param report what the IDE read of the same report (deadlocks and profiles), for analyzers built on those
	 * @throws AnalysisReportException when the member is not what the analyzer expects: a one-line message naming it
	 */
	AnalyzerResult read(JsonElement member, AnalysisReport report) throws AnalysisReportException;
}
