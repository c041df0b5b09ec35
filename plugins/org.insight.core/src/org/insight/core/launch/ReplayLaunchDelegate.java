package org.insight.core.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Machine;
import org.insight.core.Messages;
import org.insight.core.analysis.AnalyzerRegistry;

/**
 * <i>InSight Replay</i>: {@code insight replay --vm MACHINE TRACE}, which ends with "replay verified" or the divergence;
 * with analyses (potential deadlocks, the lock profile, the function profile), then {@code insight analyze --format json}
 * with their options, of the same recording, whose report the job imports.
 */
public final class ReplayLaunchDelegate extends EngineLaunchDelegate {

	@Override
	EngineJob.Kind kind() {
		return EngineJob.Kind.REPLAY;
	}

	@Override
	Path trace(ILaunchConfiguration config) throws CoreException {
		String trace = text(config, LaunchAttributes.TRACE);
		Path p = Path.of(trace).toAbsolutePath();
		if (trace.isEmpty() || !Files.isRegularFile(p)) {
			throw new CoreException(Status.error(NLS.bind(Messages.Launch_noTrace, trace)));
		}
		return p;
	}

	@Override
	File workingDirectory(ILaunchConfiguration config) throws CoreException {
		return trace(config).getParent().toFile();
	}

	@Override
	List<String> engineArguments(ILaunchConfiguration config) throws CoreException {
		return List.of("replay", "--vm", machine(config).option(), trace(config).toString());
	}

	/**
	 * With analyses (ids of {@link AnalyzerRegistry}): {@code insight analyze --format json} with the options of the
	 * engine analyzers they run, once the replay verified; the import then gives the chosen contributed analyzers
	 * their report members.
	 */
	@Override
	AnalysisStep analysis(ILaunchConfiguration config, Path trace) throws CoreException {
		List<String> analyses = AnalyzerRegistry.split(config.getAttribute(LaunchAttributes.ANALYSES, ""));
		List<String> engine = AnalyzerRegistry.engineAnalyzers(analyses);
		return engine.isEmpty() ? null : AnalysisStep.analyze(trace, machine(config).option(), engine, analyses);
	}

	private static Machine machine(ILaunchConfiguration config) throws CoreException {
		return Machine.ofOption(config.getAttribute(LaunchAttributes.MACHINE, "")).orElse(Machine.workspaceDefault());
	}
}
