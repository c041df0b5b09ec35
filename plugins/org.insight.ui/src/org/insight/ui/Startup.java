package org.insight.ui;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IProjectDescription;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.ui.IStartup;

/**
 * Starts the bundle with the workbench, so a replay launched from the history also opens the Recording view. With the
 * system property {@value #IMPORT} (set by {@code ./insight ide}: the samples folder), that folder becomes a project of
 * the workspace, named after it, at its location, unless a project already has that name.
 */
public final class Startup implements IStartup {
	static final String IMPORT = "insight.importProject";

	@Override
	public void earlyStartup() {
		String folder = System.getProperty(IMPORT);
		if (folder == null || folder.isBlank() || !Files.isDirectory(Path.of(folder))) {
			return;
		}
		Path dir = Path.of(folder).toAbsolutePath().normalize();
		IWorkspace ws = ResourcesPlugin.getWorkspace();
		IProject project = ws.getRoot().getProject(dir.getFileName().toString());
		try {
			if (!project.exists()) {
				IProjectDescription d = ws.newProjectDescription(project.getName());
				d.setLocationURI(dir.toUri());
				project.create(d, null);
			}
			project.open(null);
		} catch (CoreException e) {
			ILog.of(Startup.class).log(e.getStatus());
		}
	}
}
