package org.insight.core.analysis;

import java.util.Arrays;
import java.util.Map;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;

/**
 * The problem markers of the contributed analyzers ({@link AnalyzerResult.Marker}), type {@link #TYPE} (an InSight
 * finding), with the analyzer's id ({@link #ANALYZER}), the finding's id and the recording. A re-import of the same
 * recording replaces them; a marker whose file is not in the workspace is left out.
 */
public final class AnalyzerMarkers {
	public static final String TYPE = "org.insight.core.analyzerFinding";
	public static final String ANALYZER = "analyzer";

	private AnalyzerMarkers() {
	}

	/** Replaces the recording's contributed markers by those of {@code results}; returns how many were created. */
	static int replace(String recording, Map<String, AnalyzerResult> results, IProgressMonitor monitor)
			throws CoreException {
		int[] created = { 0 };
		IWorkspace ws = ResourcesPlugin.getWorkspace();
		ws.run(m -> {
			for (IMarker old : of(recording)) {
				old.delete();
			}
			for (Map.Entry<String, AnalyzerResult> r : results.entrySet()) {
				for (AnalyzerResult.Marker mk : r.getValue().markers()) {
					var file = SourceLookup.find(mk.file());
					if (file.isPresent()) {
						create(file.get(), r.getKey(), recording, mk);
						created[0]++;
					}
				}
			}
		}, ws.getRoot(), IWorkspace.AVOID_UPDATE, monitor);
		return created[0];
	}

	/** The contributed markers of one recording. */
	public static IMarker[] of(String recording) throws CoreException {
		return Arrays.stream(ResourcesPlugin.getWorkspace().getRoot().findMarkers(TYPE, true, IResource.DEPTH_INFINITE))
				.filter(m -> recording.equals(m.getAttribute(DeadlockMarkers.RECORDING, ""))).toArray(IMarker[]::new);
	}

	private static void create(IFile file, String analyzer, String recording, AnalyzerResult.Marker mk)
			throws CoreException {
		file.createMarker(TYPE, Map.of(IMarker.SEVERITY, mk.severity(), IMarker.LINE_NUMBER, mk.line(),
				IMarker.MESSAGE, mk.message(), IMarker.LOCATION, NLS.bind(Messages.Marker_location, mk.line()),
				ANALYZER, analyzer, DeadlockMarkers.FINDING_ID, mk.id(), DeadlockMarkers.RECORDING, recording));
	}
}
