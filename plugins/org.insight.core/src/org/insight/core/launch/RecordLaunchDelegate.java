package org.insight.core.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Machine;
import org.insight.core.Messages;

/** <i>InSight Record</i>: {@code insight record -o TRACE [options] --vm MACHINE -- PROGRAM ARGS...}. */
public final class RecordLaunchDelegate extends EngineLaunchDelegate {

	@Override
	EngineJob.Kind kind() {
		return EngineJob.Kind.RECORD;
	}

	@Override
	Path trace(ILaunchConfiguration config) throws CoreException {
		String out = text(config, LaunchAttributes.TRACE);
		if (out.isEmpty()) {
			throw new CoreException(Status.error(Messages.Launch_noOutput));
		}
		return absolute(config, out);
	}

	@Override
	File workingDirectory(ILaunchConfiguration config) throws CoreException {
		String dir = text(config, LaunchAttributes.WORKING_DIRECTORY);
		if (dir.isEmpty()) {
			return program(config).toAbsolutePath().getParent().toFile();
		}
		if (!Files.isDirectory(Path.of(dir))) {
			throw new CoreException(Status.error(NLS.bind(Messages.Launch_badWorkingDirectory, dir)));
		}
		return new File(dir);
	}

	@Override
	List<String> engineArguments(ILaunchConfiguration config) throws CoreException {
		List<String> a = new ArrayList<>(List.of("record", "-o", trace(config).toString()));
		option(a, "--mode", text(config, LaunchAttributes.MODE));
		option(a, "--chaos", text(config, LaunchAttributes.CHAOS_SEED));
		option(a, "--timeslice", text(config, LaunchAttributes.TIME_SLICE));
		option(a, "--memory", text(config, LaunchAttributes.MEMORY));
		option(a, "--time-limit", text(config, LaunchAttributes.TIME_LIMIT));
		String stdin = text(config, LaunchAttributes.STDIN);
		option(a, "--stdin", stdin.isEmpty() ? "" : absolute(config, stdin).toString());
		if (config.getAttribute(LaunchAttributes.ANALYZE, false)) {
			a.addAll(List.of("--analyze-output", AnalysisStep.reportOf(trace(config)).toString(), "--analyze-format",
					"json"));
		}
		Map<String, String> env = config.getAttribute(ILaunchManager.ATTR_ENVIRONMENT_VARIABLES, Map.of());
		env.forEach((k, v) -> option(a, "--env", k + "=" + v));
		a.add("--vm");
		a.add(machine(config).option());
		a.add("--");
		a.add(program(config).toString());
		a.addAll(List.of(DebugPlugin.parseArguments(text(config, LaunchAttributes.ARGUMENTS))));
		return a;
	}

	@Override
	AnalysisStep analysis(ILaunchConfiguration config, Path trace) throws CoreException {
		return config.getAttribute(LaunchAttributes.ANALYZE, false) ? AnalysisStep.ownReport(trace) : null;
	}

	/** The machine of the configuration, else the workspace default. */
	static Machine machine(ILaunchConfiguration config) throws CoreException {
		return Machine.ofOption(config.getAttribute(LaunchAttributes.MACHINE, "")).orElse(Machine.workspaceDefault());
	}

	private static Path program(ILaunchConfiguration config) throws CoreException {
		String program = text(config, LaunchAttributes.PROGRAM);
		if (program.isEmpty()) {
			throw new CoreException(Status.error(Messages.Launch_noProgram));
		}
		return Path.of(program).toAbsolutePath();
	}

	/** A path relative to the working directory (the program's folder by default) made absolute. */
	private Path absolute(ILaunchConfiguration config, String path) throws CoreException {
		Path p = Path.of(path);
		return p.isAbsolute() ? p : workingDirectory(config).toPath().resolve(p).normalize();
	}

	private static void option(List<String> args, String name, String value) {
		if (!value.isEmpty()) {
			args.add(name);
			args.add(value);
		}
	}
}
