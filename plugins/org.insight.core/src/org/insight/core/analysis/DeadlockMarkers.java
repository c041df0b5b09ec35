package org.insight.core.analysis;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;

/**
 * The problem markers of one recording's analysis, persistent: a warning ({@link #DEADLOCK}) on each acquisition site
 * of each potential deadlock, both sites of each edge (one marker per finding and source line), and an info
 * ({@link #FILTERED}) for each filtered cycle, with its reasons, on its first acquisition site in the workspace, and an
 * error ({@link #ACTUAL}) on each site of an actual deadlock (where each thread took the lock it holds and where it is
 * blocked). Each
 * carries the finding's id ({@link #FINDING_ID}) and the recording's path ({@link #RECORDING}); a re-analysis of the
 * same recording replaces them. A site whose file is not in the workspace gets no marker (the Deadlocks view still
 * shows it).
 */
public final class DeadlockMarkers {
	/** The super type of both, itself a problem and text marker. */
	public static final String FINDING = "org.insight.core.finding";
	public static final String DEADLOCK = "org.insight.core.deadlock";
	public static final String FILTERED = "org.insight.core.filteredCycle";
	public static final String ACTUAL = "org.insight.core.actualDeadlock";
	public static final String FINDING_ID = "findingId";
	public static final String RECORDING = "recording";

	private DeadlockMarkers() {
	}

	/** Replaces the markers of {@code report}'s recording with its findings'; returns how many were created. */
	public static int replace(DeadlockReport report, IProgressMonitor monitor) throws CoreException {
		int[] created = { 0 };
		IWorkspace ws = ResourcesPlugin.getWorkspace();
		ws.run(m -> {
			remove(ws.getRoot(), report.recording().toString());
			for (DeadlockReport.Finding f : report.actual()) {
				created[0] += markCycle(report, f, ACTUAL, IMarker.SEVERITY_ERROR, Messages.Marker_actual);
			}
			for (DeadlockReport.Finding f : report.findings()) {
				created[0] += markCycle(report, f, DEADLOCK, IMarker.SEVERITY_WARNING, Messages.Marker_deadlock);
			}
			for (DeadlockReport.Finding f : report.filtered()) {
				created[0] += markFiltered(report, f);
			}
		}, ws.getRoot(), IWorkspace.AVOID_UPDATE, monitor);
		return created[0];
	}

	/** The deadlock markers of one recording, of the three kinds (not the contributed analyzers'). */
	public static IMarker[] of(String recording) throws CoreException {
		return java.util.Arrays.stream(ResourcesPlugin.getWorkspace().getRoot().findMarkers(FINDING, true,
				IResource.DEPTH_INFINITE)).filter(m -> recording.equals(m.getAttribute(RECORDING, "")))
				.filter(m -> !AnalyzerMarkers.TYPE.equals(type(m))).toArray(IMarker[]::new);
	}

	private static String type(IMarker m) {
		try {
			return m.getType();
		} catch (CoreException gone) {
			return "";
		}
	}

	private static void remove(IWorkspaceRoot root, String recording) throws CoreException {
		for (IMarker m : of(recording)) {
			m.delete();
		}
	}

	private static int markCycle(DeadlockReport report, DeadlockReport.Finding f, String type, int severity,
			String template) throws CoreException {
		// a site is a file and line; the locks taken there in this cycle make its message
		Map<Site, Set<String>> sites = new LinkedHashMap<>();
		for (DeadlockReport.Edge e : f.edges()) {
			for (DeadlockReport.Stack s : new DeadlockReport.Stack[] { e.held(), e.acquired() }) {
				site(s).ifPresent(site -> sites.computeIfAbsent(site, k -> new LinkedHashSet<>()).add(s.lock()));
			}
		}
		String cycle = cycle(f);
		for (Map.Entry<Site, Set<String>> s : sites.entrySet()) {
			create(s.getKey(), type, severity, report, f, NLS.bind(template,
					new Object[] { f.id(), String.join(", ", s.getValue()), f.locks().size(), cycle }));
		}
		return sites.size();
	}

	private static int markFiltered(DeadlockReport report, DeadlockReport.Finding f) throws CoreException {
		for (DeadlockReport.Edge e : f.edges()) {
			for (DeadlockReport.Stack s : new DeadlockReport.Stack[] { e.held(), e.acquired() }) {
				Optional<Site> site = site(s);
				if (site.isPresent()) {
					create(site.get(), FILTERED, IMarker.SEVERITY_INFO, report, f, NLS.bind(Messages.Marker_filtered,
							new Object[] { f.id(), cycle(f), String.join("; ", f.reasons()) }));
					return 1;
				}
			}
		}
		return 0;
	}

	private static void create(Site site, String type, int severity, DeadlockReport report, DeadlockReport.Finding f,
			String message) throws CoreException {
		site.file().createMarker(type, Map.of(IMarker.SEVERITY, severity, IMarker.LINE_NUMBER, site.line(),
				IMarker.MESSAGE, message, IMarker.LOCATION, NLS.bind(Messages.Marker_location, site.line()),
				FINDING_ID, f.id(), RECORDING, report.recording().toString()));
	}

	/** The first frame of the stack (innermost first) whose source is a workspace file: the program's own call. */
	static Optional<Site> site(DeadlockReport.Stack s) {
		for (DeadlockReport.Frame fr : s.frames()) {
			if (fr.hasSource()) {
				Optional<IFile> file = SourceLookup.find(fr.file());
				if (file.isPresent()) {
					return Optional.of(new Site(file.get(), fr.line()));
				}
			}
		}
		return Optional.empty();
	}

	/** "a → b → c → a". */
	static String cycle(DeadlockReport.Finding f) {
		if (f.locks().isEmpty()) {
			return "";
		}
		return String.join(" \u2192 ", f.locks()) + " \u2192 " + f.locks().get(0);
	}

	record Site(IFile file, int line) {
	}
}
