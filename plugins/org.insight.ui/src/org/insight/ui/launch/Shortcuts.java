package org.insight.ui.launch;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.statushandlers.StatusManager;
import org.insight.core.launch.LaunchAttributes;

/** What both shortcuts do: find the file, reuse the configuration made for it before, or make one, then launch. */
final class Shortcuts {
	private Shortcuts() {
	}

	static Optional<Path> file(ISelection selection) {
		if (selection instanceof IStructuredSelection s && s.getFirstElement() != null) {
			IFile f = Adapters.adapt(s.getFirstElement(), IFile.class);
			if (f != null && f.getLocation() != null) {
				return Optional.of(f.getLocation().toPath());
			}
		}
		return Optional.empty();
	}

	static Optional<Path> file(IEditorPart editor) {
		IEditorInput input = editor.getEditorInput();
		IFile f = Adapters.adapt(input, IFile.class);
		return f == null || f.getLocation() == null ? Optional.empty() : Optional.of(f.getLocation().toPath());
	}

	interface Filler {
		void fill(ILaunchConfigurationWorkingCopy wc, Path file);
	}

	/**
	 * The configuration of {@code typeId} whose {@code attribute} is {@code file}, or a new one filled in by
	 * {@code filler}; then launched in run mode.
	 */
	static ILaunchConfiguration launch(String typeId, String attribute, Path file, Filler filler) {
		try {
			ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
			ILaunchConfigurationType type = manager.getLaunchConfigurationType(typeId);
			String wanted = file.toString();
			ILaunchConfiguration config = Arrays.stream(manager.getLaunchConfigurations(type))
					.filter(c -> wanted.equals(InsightTab.get(c, attribute))).findFirst().orElse(null);
			if (config == null) {
				String name = manager.generateLaunchConfigurationName(file.getFileName().toString());
				ILaunchConfigurationWorkingCopy wc = type.newInstance(null, name);
				filler.fill(wc, file);
				config = wc.doSave();
			}
			DebugUITools.launch(config, ILaunchManager.RUN_MODE);
			return config;
		} catch (CoreException e) {
			StatusManager.getManager().handle(e.getStatus(), StatusManager.SHOW | StatusManager.LOG);
			return null;
		}
	}

	/** A new record configuration for a program: its recording beside it, named after it. */
	static void fillRecord(ILaunchConfigurationWorkingCopy wc, Path program) {
		wc.setAttribute(LaunchAttributes.PROGRAM, program.toString());
		wc.setAttribute(LaunchAttributes.TRACE, program.resolveSibling(program.getFileName() + ".insight").toString());
		wc.setAttribute(LaunchAttributes.MODE, "syscalls");
	}
}
