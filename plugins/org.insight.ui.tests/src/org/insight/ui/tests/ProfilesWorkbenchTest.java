package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Event;
import org.eclipse.ui.IWorkbenchPage;
import org.insight.core.InsightCore;
import org.insight.core.analysis.CallTree.Node;
import org.insight.core.analysis.FunctionProfileReport;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.views.FunctionProfileView;
import org.insight.ui.views.LockProfileView;
import org.insight.ui.views.LockRows.Row;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The profiles of a real recording in the IDE (the engine on KVM, or the nested machine where /dev/kvm is missing):
 * the philosophers sample, 3 meals each, recorded with the analysis; its lock profile has the 5 forks ({@code forks}
 * to {@code forks+192}), each taken 6 times (by its two philosophers, 3 meals each), 3 times at each of the two
 * pthread_mutex_lock lines. A replay launch with the function profile: dine 5 calls (one per philosopher),
 * pthread_mutex_lock and pthread_mutex_unlock 30 (two per meal), nanosleep 15 (one per think: the sample's static
 * think, eat and next_random are inlined into dine at -O2, so they are no functions of the binary); in the call tree,
 * the 30 locks are under dine; the flame graph focuses on dine. Screenshots of both views.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class ProfilesWorkbenchTest {
	private static final Duration ENGINE_LIMIT = Duration.ofMinutes(25);
	private static final int MEALS = 3;
	private static Path recorded;

	@Test
	@Order(1)
	public void recordWithAnalysisShowsTheLockProfile() throws Exception {
		assumeFalse("1".equals(System.getProperty("insight.noKvm")),
				"INSIGHT_NO_KVM=1: recording needs /dev/kvm or the nested machine");
		IFile source = importSample();
		List<Integer> lockLines = new ArrayList<>();
		String[] lines = new String(source.getContents().readAllBytes()).split("\n", -1);
		for (int i = 0; i < lines.length; i++) {
			if (lines[i].contains("pthread_mutex_lock(")) {
				lockLines.add(i + 1);
			}
		}
		assertEquals(2, lockLines.size(), lockLines.toString());
		Path dir = Path.of(Platform.getInstanceLocation().getURL().toURI()).resolve("recordings");
		Files.createDirectories(dir);
		Path trace = dir.resolve("philosophers-profiled.insight");
		Files.deleteIfExists(trace);
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.RECORD_TYPE).newInstance(null, "philosophers profiled");
		wc.setAttribute(LaunchAttributes.PROGRAM, philosophers().toString());
		wc.setAttribute(LaunchAttributes.ARGUMENTS, Integer.toString(MEALS));
		wc.setAttribute(LaunchAttributes.TRACE, trace.toString());
		wc.setAttribute(LaunchAttributes.MODE, "syscalls");
		wc.setAttribute(LaunchAttributes.CHAOS_SEED, "5");
		wc.setAttribute(LaunchAttributes.MACHINE, "auto");
		wc.setAttribute(LaunchAttributes.ANALYZE, true);
		wc.doSave().launch(ILaunchManager.RUN_MODE, new NullProgressMonitor());
		assertTrue(Workbench.spinUntil(ENGINE_LIMIT, () -> Job.getJobManager().find(InsightCore.JOB_FAMILY).length == 0),
				"the recording and its analysis did not end within " + ENGINE_LIMIT);
		assertTrue(Files.isRegularFile(trace), "no recording " + trace);
		recorded = trace;

		// the view opens after the import: 5 forks, 6 acquisitions each, 3 at each pthread_mutex_lock line
		// (the view may still show an earlier import: wait for this recording's)
		String traceName = trace.getFileName().toString();
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(60), () -> lockView() != null && lockView()
				.getContentDescription().contains(traceName) && !lockView().rows().isEmpty()),
				"the Lock Profile view did not show the analysis: " + LatestAnalysis.report());
		LockProfileView view = lockView();
		Map<String, Long> acquisitions = new TreeMap<>();
		for (Row lock : view.rows()) {
			String name = lock.text();
			assertTrue(lock.location().contains("mutex"), lock.location());
			acquisitions.put(name, lock.stats().acquisitions());
			Map<String, Long> sites = new TreeMap<>();
			for (Row site : lock.children()) {
				assertEquals("dine (pthread_mutex_lock)", site.text());
				sites.merge(site.location(), site.stats().acquisitions(), Long::sum);
			}
			assertEquals(Map.of("philosophers.c:" + lockLines.get(0), (long) MEALS, "philosophers.c:" + lockLines
					.get(1), (long) MEALS), sites, name + ": " + lock.children());
		}
		assertEquals(Map.of("forks", 2L * MEALS, "forks+48", 2L * MEALS, "forks+96", 2L * MEALS, "forks+144", 2L
				* MEALS, "forks+192", 2L * MEALS), acquisitions, view.rows().toString());
		view.sortBy(org.insight.ui.views.LockRows.Column.HOLD_TOTAL);
		view.viewer().expandAll();
		screenshot(view, "lock-profile-view.png");
	}

	@Test
	@Order(2)
	public void replayWithTheFunctionProfileShowsCallsAndTheFlameGraph() throws Exception {
		assumeTrue(recorded != null, "needs the recording of the first test");
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.REPLAY_TYPE).newInstance(null, "philosophers functions");
		wc.setAttribute(LaunchAttributes.TRACE, recorded.toString());
		wc.setAttribute(LaunchAttributes.MACHINE, "auto");
		wc.setAttribute(LaunchAttributes.ANALYSES, LaunchAttributes.FUNCTIONS);
		wc.doSave().launch(ILaunchManager.RUN_MODE, new NullProgressMonitor());
		assertTrue(Workbench.spinUntil(ENGINE_LIMIT, () -> Job.getJobManager().find(InsightCore.JOB_FAMILY).length == 0),
				"the replay and its analysis did not end within " + ENGINE_LIMIT);
		String name = recorded.getFileName().toString();
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(60), () -> functionView() != null && functionView()
				.getContentDescription().contains(name) && functionView().profile() != null),
				"the Function Profile view did not show the analysis: " + LatestAnalysis.report());
		FunctionProfileView view = functionView();
		FunctionProfileReport p = view.profile();
		Map<String, Long> calls = new TreeMap<>();
		for (String f : List.of("dine", "pthread_mutex_lock", "pthread_mutex_unlock", "nanosleep")) {
			calls.put(f, p.function(f).map(FunctionProfileReport.Function::calls).orElse(-1L));
		}
		assertEquals(Map.of("dine", 5L, "pthread_mutex_lock", 10L * MEALS, "pthread_mutex_unlock", 10L * MEALS,
				"nanosleep", 5L * MEALS), calls, p.functions().toString());
		view.sortBy(FunctionProfileView.Column.CALLS);
		assertTrue(view.shownFunctions().get(0).calls() >= 10L * MEALS, view.shownFunctions().toString());

		// the call tree: the locks under dine, 30 calls along that path
		Node dine = find(view.callTree(), "dine");
		assertNotNull(dine, "no dine in the call tree");
		Node lock = dine.children().stream().filter(n -> n.function().equals("pthread_mutex_lock")).findFirst()
				.orElseThrow(() -> new AssertionError(dine.children().toString()));
		assertEquals(10L * MEALS, lock.calls());

		Workbench.shell().setBounds(0, 0, 1280, 900);
		Workbench.page().activate(view);
		var ref = Workbench.page().getReference(view);
		Workbench.page().setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
		try {
			Workbench.spin(300);
			Point at = view.flamePoint(dine).orElseThrow(() -> new AssertionError(view.flameFrames().toString()));
			mouse(view, SWT.MouseMove, at);
			assertTrue(view.flameInfo().startsWith("dine: 5 call(s)"), view.flameInfo());
			Workbench.screenshot(Workbench.shell(), "function-profile-view.png");
			mouse(view, SWT.MouseUp, at);
			assertEquals(dine, view.flameFocus());
			mouse(view, SWT.MouseExit, at);
			Workbench.screenshot(Workbench.shell(), "function-profile-flame-focused-dine.png");
		} finally {
			Workbench.page().setPartState(ref, IWorkbenchPage.STATE_RESTORED);
		}
	}

	private static Node find(Node n, String function) {
		if (!n.isRoot() && n.function().equals(function)) {
			return n;
		}
		for (Node c : n.children()) {
			Node f = find(c, function);
			if (f != null) {
				return f;
			}
		}
		return null;
	}

	private static void mouse(FunctionProfileView view, int type, Point p) {
		Event e = new Event();
		e.x = p.x;
		e.y = p.y;
		e.button = type == SWT.MouseUp ? 1 : 0;
		view.flameCanvas().notifyListeners(type, e);
	}

	private static void screenshot(org.eclipse.ui.IViewPart view, String name) {
		Workbench.shell().setBounds(0, 0, 1280, 900);
		Workbench.page().activate(view);
		var ref = Workbench.page().getReference(view);
		Workbench.page().setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
		try {
			assertTrue(Workbench.screenshot(Workbench.shell(), name).length() > 1000);
		} finally {
			Workbench.page().setPartState(ref, IWorkbenchPage.STATE_RESTORED);
		}
	}

	private static LockProfileView lockView() {
		return (LockProfileView) Workbench.page().findView(LockProfileView.ID);
	}

	private static FunctionProfileView functionView() {
		return (FunctionProfileView) Workbench.page().findView(FunctionProfileView.ID);
	}

	private static Path philosophers() {
		Path p = Path.of(System.getProperty("insight.guests", ""), "musl", "philosophers");
		assertTrue(Files.isExecutable(p), "no sample " + p + " (system property insight.guests: run ./insight build)");
		return p;
	}

	/** The sample's source in a project, so that the sites' DWARF paths map to it. */
	private static IFile importSample() throws Exception {
		Path c = Path.of(System.getProperty("insight.samples", "samples"), "philosophers.c");
		assertTrue(Files.isRegularFile(c), "no sample source " + c + " (system property insight.samples)");
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("profiles-sample");
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		IFile file = project.getFile("philosophers.c");
		if (!file.exists()) {
			file.create(new ByteArrayInputStream(Files.readAllBytes(c)), true, null);
		}
		return file;
	}
}
