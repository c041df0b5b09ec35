package org.insight.core.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.resources.IContainer;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IDebugEventSetListener;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.IStreamListener;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IStreamMonitor;
import org.insight.core.InsightCore;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;
import org.insight.core.analysis.DeadlockReport;
import org.insight.core.analysis.ReportImport;

/**
 * Follows one engine process from start to exit: its stderr lines of the engine ({@code insight: ...}) and of the
 * nested machine ({@code nested-kvm: ...}) become the progress message, cancel ends the process tree, and at the end
 * the recording's folder is refreshed in the workspace. The process's exit status is the launch's.
 */
public final class EngineJob extends Job {
	/** What the engine process does. */
	public enum Kind {
		RECORD, REPLAY
	}

	private final Kind kind;
	private final ILaunch launch;
	private final IProcess process;
	private final Process os;
	private final Path trace;
	private final AnalysisStep analysis;
	private final StringBuilder partialLine = new StringBuilder();
	private volatile String engineSummary = "";
	/** The launch's own process said "replay verified" (whatever the guest's exit status, a deadlock's 124 too). */
	private volatile boolean replayVerified;
	/** Lines come from the analysis process now: they are shown as progress, but the summary stays the launch's. */
	private volatile boolean secondProcess;
	private volatile IProgressMonitor monitor;
	private volatile Process analysisProcess;
	private volatile DeadlockReport report;

	EngineJob(String name, Kind kind, ILaunch launch, IProcess process, Process os, Path trace, AnalysisStep analysis) {
		super(name);
		this.kind = kind;
		this.launch = launch;
		this.process = process;
		this.os = os;
		this.trace = trace;
		this.analysis = analysis;
		setUser(true);
	}

	public Kind kind() {
		return kind;
	}

	public ILaunch launch() {
		return launch;
	}

	/** The recording written (record) or read (replay). */
	public Path trace() {
		return trace;
	}

	/** The last line the engine printed about itself, e.g. "replay verified: 812 frames, ...". */
	public String engineSummary() {
		return engineSummary;
	}

	/** The analysis report this job imported, once it has; empty without an analysis or when none was written. */
	public Optional<DeadlockReport> report() {
		return Optional.ofNullable(report);
	}

	/** The engine's exit status (the guest's, for record and replay); -1 while it runs. */
	public int exitStatus() {
		return os.isAlive() ? -1 : os.exitValue();
	}

	@Override
	public boolean belongsTo(Object family) {
		return family == InsightCore.JOB_FAMILY;
	}

	@Override
	protected void canceling() {
		os.destroy(); // EngineProcess: the whole tree
		Process second = analysisProcess;
		if (second != null) {
			second.destroy();
		}
	}

	@Override
	protected IStatus run(IProgressMonitor progress) {
		monitor = progress;
		progress.beginTask(getName(), IProgressMonitor.UNKNOWN);
		progress.subTask(Messages.Job_waiting);
		follow(process, os);
		launch.setAttribute(LaunchAttributes.LAUNCH_ENGINE_SUMMARY, engineSummary);
		refresh();
		IStatus status = Status.OK_STATUS;
		if (analysis != null && !progress.isCanceled()) {
			status = analyze(progress);
		}
		progress.done();
		return progress.isCanceled() ? Status.CANCEL_STATUS : status;
	}

	/**
	 * The analysis step: the second engine process where there is one (after a replay that verified, whatever the guest's exit status: a recorded deadlock ends with 124), then the
	 * import of its JSON report (markers, the Deadlocks view's model). A run that wrote no report (the recording or
	 * its replay failed: the console says why) imports nothing.
	 */
	private IStatus analyze(IProgressMonitor progress) {
		if (analysis.command() != null && !replayVerified) {
			return Status.OK_STATUS; // diverged, refused or failed: the console says why, and there is nothing to analyze
		}
		if (analysis.command() != null) {
			synchronized (this) {
				partialLine.setLength(0);
				secondProcess = true;
			}
			progress.subTask(Messages.Job_analyzing);
			EngineProcess.Started second;
			try {
				second = EngineProcess.start(launch, analysis.command(), analysis.dir(),
						NLS.bind(Messages.Job_analyzeLabel, trace.getFileName()));
			} catch (CoreException e) {
				return e.getStatus();
			}
			analysisProcess = second.process();
			if (progress.isCanceled()) {
				second.process().destroy();
			}
			follow(second.iprocess(), second.process());
			if (progress.isCanceled() || second.process().exitValue() != 0) {
				return Status.OK_STATUS;
			}
		}
		if (!Files.isRegularFile(analysis.report())) {
			return Status.OK_STATUS;
		}
		try {
			report = ReportImport.run(trace, analysis.report(), analysis.analyzers(), progress);
			return Status.OK_STATUS;
		} catch (CoreException e) {
			return e.getStatus();
		}
	}

	/** Waits for the process's end, its stderr lines as progress, until the Debug platform has its whole output. */
	private void follow(IProcess process, Process os) {
		CountDownLatch terminated = new CountDownLatch(1);
		IDebugEventSetListener ends = events -> {
			for (DebugEvent e : events) {
				if (e.getSource() == process && e.getKind() == DebugEvent.TERMINATE) {
					terminated.countDown();
				}
			}
		};
		DebugPlugin.getDefault().addDebugEventListener(ends);
		IStreamMonitor stderr = process.getStreamsProxy() == null ? null
				: process.getStreamsProxy().getErrorStreamMonitor();
		IStreamListener lines = (text, m) -> take(text);
		if (stderr != null) {
			stderr.addListener(lines);
		}
		try {
			os.waitFor();
			// the Debug platform's own end of the process: its output is then wholly in the console
			if (!process.isTerminated()) {
				terminated.await(30, TimeUnit.SECONDS);
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		} finally {
			DebugPlugin.getDefault().removeDebugEventListener(ends);
			if (stderr != null) {
				stderr.removeListener(lines);
			}
		}
	}

	private synchronized void take(String text) {
		partialLine.append(text);
		int nl;
		while ((nl = partialLine.indexOf("\n")) >= 0) {
			String line = partialLine.substring(0, nl).strip();
			partialLine.delete(0, nl + 1);
			if (line.startsWith("insight: ") || line.startsWith("nested-kvm: ")) {
				String message = line.substring(line.indexOf(' ') + 1);
				if (line.startsWith("insight: ") && !secondProcess) {
					engineSummary = message;
					replayVerified |= message.startsWith("replay verified");
				}
				IProgressMonitor m = monitor;
				if (m != null) {
					m.subTask(message);
				}
			}
		}
	}

	/** Makes a recording written inside the workspace visible there. */
	private void refresh() {
		if (trace == null || kind != Kind.RECORD) {
			return;
		}
		IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
		try {
			for (IFile f : root.findFilesForLocationURI(trace.toUri())) {
				f.refreshLocal(IResource.DEPTH_ZERO, null);
			}
			if (trace.getParent() != null) {
				for (IContainer c : root.findContainersForLocationURI(trace.getParent().toUri())) {
					c.refreshLocal(IResource.DEPTH_ONE, null);
				}
			}
		} catch (CoreException e) {
			org.eclipse.core.runtime.ILog.of(EngineJob.class).log(e.getStatus());
		}
	}
}
