package org.insight.core.launch;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.LaunchConfigurationDelegate;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;

/**
 * Runs {@code insight record|replay} as an external process (as the Linux Tools Valgrind plug-in runs valgrind): the
 * engine chooses its machine itself, in-process KVM or the nested machine, so the IDE behaves as the command does. Its
 * stdout and stderr reach a console through {@link DebugPlugin#newProcess}, and an {@link EngineJob} follows it.
 */
abstract class EngineLaunchDelegate extends LaunchConfigurationDelegate {

	/** The engine's arguments: the command and its options. */
	abstract List<String> engineArguments(ILaunchConfiguration config) throws CoreException;

	/** The recording this launch writes or reads. */
	abstract Path trace(ILaunchConfiguration config) throws CoreException;

	abstract EngineJob.Kind kind();

	/** The analysis the job runs or imports once the engine process ended; null: none. */
	AnalysisStep analysis(ILaunchConfiguration config, Path trace) throws CoreException {
		return null;
	}

	/** The folder the engine runs in; null: this process's. */
	File workingDirectory(ILaunchConfiguration config) throws CoreException {
		return null;
	}

	@Override
	public void launch(ILaunchConfiguration config, String mode, ILaunch launch, IProgressMonitor monitor)
			throws CoreException {
		SubMonitor sub = SubMonitor.convert(monitor, 2);
		Path trace = trace(config);
		List<String> args = engineArguments(config);
		sub.worked(1);
		AnalysisStep analysis = analysis(config, trace);
		if (analysis != null) {
			analysis.clear();
		}
		String label = trace.getFileName() + " [" + config.getType().getName() + "]";
		EngineProcess.Started started = EngineProcess.start(launch, args, workingDirectory(config), label);
		String name = NLS.bind(kind() == EngineJob.Kind.RECORD ? Messages.Job_record : Messages.Job_replay,
				trace.getFileName());
		new EngineJob(name, kind(), launch, started.iprocess(), started.process(), trace, analysis).schedule();
		sub.worked(1);
	}

	/** The engine needs no workspace build first. */
	@Override
	public boolean buildForLaunch(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
		return false;
	}

	/** A string attribute with its variables (${workspace_loc:...}) substituted, stripped; "" when unset. */
	static String text(ILaunchConfiguration config, String attribute) throws CoreException {
		String raw = config.getAttribute(attribute, "");
		return VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(raw).strip();
	}
}
