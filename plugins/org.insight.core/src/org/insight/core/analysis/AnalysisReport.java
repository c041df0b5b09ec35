package org.insight.core.analysis;

import java.util.Map;
import java.util.Optional;

/**
 * Everything the IDE reads of one engine report: the deadlock part, and the lock and function profiles when the
 * engine ran them (a member that is null or absent in the JSON is empty here).
 *
 * @param deadlocks    the deadlock part (no findings when the analysis did not run)
 * @param deadlocksRan whether the report has the deadlock analysis (its markers are replaced only then)
 * @param contributed  the results of the contributed analyzers ({@link ReportAnalyzer}), by analyzer id
 */
public record AnalysisReport(DeadlockReport deadlocks, boolean deadlocksRan, Optional<LockProfileReport> locks,
		Optional<FunctionProfileReport> functions, Map<String, AnalyzerResult> contributed) {

	public AnalysisReport {
		contributed = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(contributed));
	}

	/** A report without contributed results. */
	public AnalysisReport(DeadlockReport deadlocks, boolean deadlocksRan, Optional<LockProfileReport> locks,
			Optional<FunctionProfileReport> functions) {
		this(deadlocks, deadlocksRan, locks, functions, Map.of());
	}

	/** This report with the contributed analyzers' results. */
	public AnalysisReport with(Map<String, AnalyzerResult> results) {
		return new AnalysisReport(deadlocks, deadlocksRan, locks, functions, results);
	}
}
