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

/** <i>InSight Replay</i>: {@code insight replay --vm MACHINE TRACE}, which ends with "replay verified" or the divergence. */
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
		Machine machine = Machine.ofOption(config.getAttribute(LaunchAttributes.MACHINE, ""))
				.orElse(Machine.workspaceDefault());
		return List.of("replay", "--vm", machine.option(), trace(config).toString());
	}
}
