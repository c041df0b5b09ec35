package org.insight.core.analysis;

import java.nio.file.Path;

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

	public static DeadlockReport run(Path recording, Path json, IProgressMonitor monitor) throws CoreException {
		SubMonitor sub = SubMonitor.convert(monitor, Messages.Job_importing, 2);
		AnalysisReport report;
		try {
			report = AnalysisJson.readAll(json, recording);
		} catch (AnalysisReportException e) {
			throw new CoreException(Status.error(e.getMessage()));
		}
		sub.worked(1);
		if (report.deadlocksRan()) {
			DeadlockMarkers.replace(report.deadlocks(), sub.split(1));
		}
		LatestAnalysis.publish(report);
		return report.deadlocks();
	}
}
