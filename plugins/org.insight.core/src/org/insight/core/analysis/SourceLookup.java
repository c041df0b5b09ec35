package org.insight.core.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;

/**
 * From a source path of the debug information (DWARF, as the engine reports it) to the file to show: the path mapped
 * by the workspace's path mappings ({@link PathMappings}: a program built elsewhere) when one applies, then the path
 * itself; each first by location (the file the path names is in the workspace), then by project-relative path (the
 * longest tail of the path that names an existing file of an open project: sources copied into a project). A path that
 * names no workspace file may still name a file on disk ({@link #external}).
 */
public final class SourceLookup {
	private SourceLookup() {
	}

	/** The workspace file of {@code dwarfPath}, with the workspace's path mappings. */
	public static Optional<IFile> find(String dwarfPath) {
		return find(dwarfPath, PathMappings.get());
	}

	/** The workspace file of {@code dwarfPath}, with {@code mappings}. */
	public static Optional<IFile> find(String dwarfPath, List<PathMappings.Mapping> mappings) {
		if (!usable(dwarfPath)) {
			return Optional.empty();
		}
		List<Path> candidates = candidates(dwarfPath, mappings);
		IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
		for (Path path : candidates) {
			if (path.isAbsolute()) {
				for (IFile f : root.findFilesForLocationURI(path.toUri())) {
					if (f.exists()) {
						return Optional.of(f);
					}
				}
			}
		}
		for (Path path : candidates) {
			Optional<IFile> f = byTail(root, path);
			if (f.isPresent()) {
				return f;
			}
		}
		return Optional.empty();
	}

	/**
	 * The file on disk of {@code dwarfPath} outside the workspace: the mapped path, else the path itself, that is an
	 * existing regular file; empty when neither is.
	 */
	public static Optional<Path> external(String dwarfPath) {
		if (!usable(dwarfPath)) {
			return Optional.empty();
		}
		return candidates(dwarfPath, PathMappings.get()).stream().filter(p -> p.isAbsolute() && Files.isRegularFile(p))
				.findFirst();
	}

	private static boolean usable(String dwarfPath) {
		return dwarfPath != null && !dwarfPath.isBlank() && !dwarfPath.equals("??");
	}

	/** The mapped path first (when a mapping applies), then the path as the debug information has it. */
	private static List<Path> candidates(String dwarfPath, List<PathMappings.Mapping> mappings) {
		List<Path> out = new ArrayList<>();
		PathMappings.map(dwarfPath, mappings).ifPresent(m -> out.add(Path.of(m).normalize()));
		out.add(Path.of(dwarfPath).normalize());
		return out;
	}

	/** The longest tail of {@code path} that is a file of an open project: src/a.c before a.c. */
	private static Optional<IFile> byTail(IWorkspaceRoot root, Path path) {
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
