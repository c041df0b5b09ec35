package org.insight.analysis;

import java.util.List;

import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Names;
import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.source.SourceLines;

/**
 * What an analysis of one recording found, with what the reports need to print it.
 *
 * @param program      the recorded program's path
 * @param verification the replay's verification line ("replay verified: ...")
 * @param analyzers    "id/version" of each analyzer that ran
 * @param hooked       the lock and thread functions hooked
 * @param events       how many events the hooks produced
 * @param deadlocks    the potential-deadlock result, or null when that analyzer did not run
 * @param names        lock names
 * @param lines        source lines of every address in the results
 * @param functions    the exact function profile, or null when that analyzer did not run
 */
public record AnalysisResult(String program, String verification, List<String> analyzers, List<String> hooked,
		long events, DeadlockResult deadlocks, Names names, SourceLines lines, FunctionProfile functions) {
	public AnalysisResult {
		analyzers = List.copyOf(analyzers);
		hooked = List.copyOf(hooked);
	}

	/** A result without a function profile. */
	public AnalysisResult(String program, String verification, List<String> analyzers, List<String> hooked,
			long events, DeadlockResult deadlocks, Names names, SourceLines lines) {
		this(program, verification, analyzers, hooked, events, deadlocks, names, lines, null);
	}
}
