package org.insight.core.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Status;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;

/**
 * The analysis an engine job ends with: the engine's JSON report {@code report}, either written by the launch's own
 * process ({@code insight record --analyze-output}: {@code command} is null) or by a second process the job starts
 * once the first ended well ({@code insight analyze --format json -o REPORT TRACE}).
 *
 * @param report    the JSON report, beside the recording ({@link #reportOf})
 * @param command   the engine's arguments of the second process; null: none
 * @param dir       the second process's folder
 * @param analyzers the ids of the analyzers chosen (the contributed ones among them read the report); null: the
 *                  engine's defaults ran, and every contributed analyzer whose member the report has reads it
 */
record AnalysisStep(Path report, List<String> command, File dir, List<String> analyzers) {

	/** {@code TRACE.analysis.json}, beside the recording. */
	static Path reportOf(Path trace) {
		return trace.resolveSibling(trace.getFileName() + ".analysis.json");
	}

	/**
	 * The engine analyzers {@code engine} (each becomes its option: {@code --deadlocks}, {@code --locks},
	 * {@code --functions}) of {@code trace} by {@code insight analyze}, on {@code machine}, for the analyzers
	 * {@code analyzers}.
	 */
	static AnalysisStep analyze(Path trace, String machine, List<String> engine, List<String> analyzers) {
		Path report = reportOf(trace);
		List<String> args = new ArrayList<>(List.of("analyze"));
		for (String a : engine) {
			args.add("--" + a);
		}
		args.addAll(List.of("--format", "json", "-o", report.toString(), "--vm", machine, trace.toString()));
		return new AnalysisStep(report, List.copyOf(args), trace.getParent().toFile(), List.copyOf(analyzers));
	}

	/** The report of the launch's own process ({@code record --analyze-output REPORT --analyze-format json}). */
	static AnalysisStep ownReport(Path trace) {
		return new AnalysisStep(reportOf(trace), null, null, null);
	}

	/** Removes the report of an earlier run, so that only this run's is imported. */
	void clear() throws CoreException {
		try {
			Files.deleteIfExists(report);
		} catch (IOException e) {
			throw new CoreException(Status.error(NLS.bind(Messages.Report_cannotDelete, report, e.getMessage()), e));
		}
	}
}
