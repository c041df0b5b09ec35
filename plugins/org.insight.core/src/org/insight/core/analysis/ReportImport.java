package org.insight.core.analysis;

import java.nio.file.Path;
import java.util.Collection;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.insight.core.Messages;

/**
 * The last step of an analysis run: the engine's JSON report read, its deadlock markers made (when the report has the
 * deadlock analysis), the report published (deadlocks and profiles).
 */
public final class ReportImport {
	private ReportImport() {
	}

	/** {@link #run(Path, Path, Collection, IProgressMonitor)} with each contributed analyzer whose member it has. */
	public static DeadlockReport run(Path recording, Path json, IProgressMonitor monitor) throws CoreException {
		return run(recording, json, null, monitor);
	}

	/**
	 * @param analyzers the ids of the analyzers the launch chose ({@link AnalyzerRegistry}); the contributed ones among
	 *                  them read their members; null: each whose member the report has
	 */
	public static DeadlockReport run(Path recording, Path json, Collection<String> analyzers,
			IProgressMonitor monitor) throws CoreException {
		SubMonitor sub = SubMonitor.convert(monitor, Messages.Job_importing, 3);
		AnalysisReport report;
		try {
			report = AnalysisJson.readAll(json, recording, analyzers);
		} catch (AnalysisReportException e) {
			throw new CoreException(Status.error(e.getMessage()));
		}
		sub.worked(1);
		if (report.deadlocksRan()) {
			DeadlockMarkers.replace(report.deadlocks(), sub.split(1));
		}
		sub.setWorkRemaining(1);
		AnalyzerMarkers.replace(recording.toString(), report.contributed(), sub.split(1));
		LatestAnalysis.publish(report);
		return report.deadlocks();
	}
}
