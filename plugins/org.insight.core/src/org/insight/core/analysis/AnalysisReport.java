package org.insight.core.analysis;

import java.util.Optional;

/**
 * Everything the IDE reads of one engine report: the deadlock part, and the lock and function profiles when the
 * engine ran them (a member that is null or absent in the JSON is empty here).
 *
 * @param deadlocks    the deadlock part (no findings when the analysis did not run)
 * @param deadlocksRan whether the report has the deadlock analysis (its markers are replaced only then)
 */
public record AnalysisReport(DeadlockReport deadlocks, boolean deadlocksRan, Optional<LockProfileReport> locks,
		Optional<FunctionProfileReport> functions) {
}
