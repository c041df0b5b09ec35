package org.insight.core.analysis;

import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;

/**
 * From a source path of the debug information (DWARF, as the engine reports it) to the workspace file: first by
 * location (the file the path names is in the workspace), then by project-relative path (the longest tail of the path
 * that names an existing file of an open project: sources built elsewhere, or copied into a project).
 */
public final class SourceLookup {
	private SourceLookup() {
	}

	public static Optional<IFile> find(String dwarfPath) {
		if (dwarfPath == null || dwarfPath.isBlank() || dwarfPath.equals("??")) {
			return Optional.empty();
		}
		IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
		Path path = Path.of(dwarfPath).normalize();
		if (path.isAbsolute()) {
			for (IFile f : root.findFilesForLocationURI(path.toUri())) {
				if (f.exists()) {
					return Optional.of(f);
				}
			}
		}
		// the longest tail first: src/a.c before a.c
		for (int i = 0; i < path.getNameCount(); i++) {
			String tail = path.subpath(i, path.getNameCount()).toString();
			for (IProject p : root.getProjects()) {
				if (p.isOpen()) {
					IFile f = p.getFile(tail);
					if (f.exists()) {
						return Optional.of(f);
					}
				}
			}
		}
		return Optional.empty();
	}
}
