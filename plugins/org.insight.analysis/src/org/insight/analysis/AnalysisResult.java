package org.insight.analysis;

import java.util.List;

import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Names;
import org.insight.analysis.locks.LockProfile;
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
 * @param locks        the lock profile, or null when that analyzer did not run
 * @param functions    the exact function profile, or null when that analyzer did not run
 */
public record AnalysisResult(String program, String verification, List<String> analyzers, List<String> hooked,
		long events, DeadlockResult deadlocks, Names names, SourceLines lines, LockProfile locks,
		FunctionProfile functions) {
	public AnalysisResult {
		analyzers = List.copyOf(analyzers);
		hooked = List.copyOf(hooked);
	}

	/** A result of the analyses of locks only (no function profile). */
	public AnalysisResult(String program, String verification, List<String> analyzers, List<String> hooked,
			long events, DeadlockResult deadlocks, Names names, SourceLines lines, LockProfile locks) {
		this(program, verification, analyzers, hooked, events, deadlocks, names, lines, locks, null);
	}

	/** The same result with the lock profile {@code profile} (sorted and cut another way). */
	public AnalysisResult withLocks(LockProfile profile) {
		return new AnalysisResult(program, verification, analyzers, hooked, events, deadlocks, names, lines, profile,
				functions);
	}
}
