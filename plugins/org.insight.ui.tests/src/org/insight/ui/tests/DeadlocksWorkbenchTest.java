package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IFileEditorInput;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchPartReference;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.insight.core.InsightCore;
import org.insight.core.analysis.DeadlockMarkers;
import org.insight.core.analysis.DeadlockReport;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.views.DeadlockRows.Kind;
import org.insight.ui.views.DeadlockRows.Row;
import org.insight.ui.views.DeadlocksView;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The diagnosis in the IDE: the philosophers sample (a cycle of 5 forks) imported into a project, recorded with the
 * analysis by an InSight Record launch (the engine on KVM, or the nested machine where /dev/kvm is missing); its
 * potential deadlock as warnings on the two pthread_mutex_lock lines of philosophers.c, the cycle in the Deadlocks
 * view, and a double-click on a frame (and on a marker) opening the file at the line. Screenshots of both views.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class DeadlocksWorkbenchTest {
	private static final Duration ENGINE_LIMIT = Duration.ofMinutes(25);
	private static Path recorded;
	private static Set<Integer> recordedMarkers;

	@Test
	@Order(1)
	public void recordAndAnalyzeMarksTheCycleAndShowsItInTheDeadlocksView() throws Exception {
		assumeFalse("1".equals(System.getProperty("insight.noKvm")),
				"INSIGHT_NO_KVM=1: recording needs /dev/kvm or the nested machine");
		IFile source = importSample();
		List<Integer> lockLines = linesOf(source, "pthread_mutex_lock(");
		assertEquals(2, lockLines.size(), "the sample's pthread_mutex_lock calls: " + lockLines);

		Path dir = Path.of(Platform.getInstanceLocation().getURL().toURI()).resolve("recordings");
		Files.createDirectories(dir);
		Path trace = dir.resolve("philosophers-analyzed.insight");
		Files.deleteIfExists(trace);
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.RECORD_TYPE).newInstance(null, "philosophers analyzed");
		wc.setAttribute(LaunchAttributes.PROGRAM, philosophers().toString());
		wc.setAttribute(LaunchAttributes.ARGUMENTS, "3");
		wc.setAttribute(LaunchAttributes.TRACE, trace.toString());
		wc.setAttribute(LaunchAttributes.MODE, "syscalls");
		wc.setAttribute(LaunchAttributes.CHAOS_SEED, "5");
		wc.setAttribute(LaunchAttributes.MACHINE, "auto");
		wc.setAttribute(LaunchAttributes.ANALYZE, true);
		ILaunch launch = wc.doSave().launch(ILaunchManager.RUN_MODE, new NullProgressMonitor());
		assertTrue(Workbench.spinUntil(ENGINE_LIMIT, () -> Job.getJobManager().find(InsightCore.JOB_FAMILY).length == 0),
				"the recording and its analysis did not end within " + ENGINE_LIMIT);
		assertTrue(launch.getProcesses()[0].isTerminated());

		// the markers: warnings on both acquisition sites, each with the finding's id and the recording
		IMarker[] markers = DeadlockMarkers.of(trace.toString());
		List<IMarker> warnings = Arrays.stream(markers).filter(m -> type(m).equals(DeadlockMarkers.DEADLOCK)).toList();
		assertFalse(warnings.isEmpty(), "no deadlock marker for " + trace + ": " + describe(markers));
		Set<Integer> marked = new TreeSet<>();
		for (IMarker m : warnings) {
			assertEquals(source, m.getResource(), describe(markers));
			assertEquals(IMarker.SEVERITY_WARNING, m.getAttribute(IMarker.SEVERITY, -1));
			assertTrue(m.getAttribute(DeadlockMarkers.FINDING_ID, "").startsWith("DL-"), describe(markers));
			marked.add(m.getAttribute(IMarker.LINE_NUMBER, -1));
		}
		assertEquals(new TreeSet<>(lockLines), marked, describe(markers));
		String findingId = warnings.get(0).getAttribute(DeadlockMarkers.FINDING_ID, "");

		// the view: the finding, a cycle of 5 locks, its 5 edges, each with both stacks down to the sample's lines
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(60), () -> view() != null && !view().rows().isEmpty()),
				"the Deadlocks view did not show the analysis");
		DeadlocksView view = view();
		List<Row> findings = view.rows().stream().filter(r -> r.kind() == Kind.FINDING).toList();
		Row cycle = findings.stream().filter(r -> r.text().contains(findingId)).findFirst()
				.orElseThrow(() -> new AssertionError("no row of " + findingId + " in " + view.rows()));
		assertEquals(5, cycle.children().size(), cycle.children().toString());
		Set<String> locks = new TreeSet<>();
		for (Row edge : cycle.children()) {
			assertEquals(Kind.EDGE, edge.kind());
			assertEquals(2, edge.children().size(), edge.children().toString()); // held, acquired
			for (Row stack : edge.children()) {
				assertTrue(stack.children().stream().anyMatch(f -> f.location().endsWith("philosophers.c:"
						+ lockLines.get(0)) || f.location().endsWith("philosophers.c:" + lockLines.get(1))), stack
								.children().toString());
			}
			locks.add(edge.text());
		}
		assertEquals(5, locks.size(), locks.toString());
		assertTrue(cycle.text().contains("5 locks"), cycle.text());
		Workbench.shell().setBounds(0, 0, 1280, 900);
		Workbench.page().showView(DeadlocksView.ID);
		Row firstEdge = cycle.children().get(0);
		view.viewer().expandToLevel(firstEdge, 2);
		IWorkbenchPartReference ref = Workbench.page().getReference(view);
		Workbench.page().setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
		view.viewer().getTree().setTopItem(view.viewer().getTree().getItem(0));
		assertTrue(Workbench.screenshot(Workbench.shell(), "deadlocks-view.png").length() > 1000);
		Workbench.page().setPartState(ref, IWorkbenchPage.STATE_RESTORED);

		// a double-click on the frame of the second acquisition opens philosophers.c at its line
		int second = lockLines.get(1);
		Row acquired = firstEdge.children().get(1);
		Row frame = acquired.children().stream().filter(f -> f.location().endsWith("philosophers.c:" + second))
				.findFirst().orElseThrow(() -> new AssertionError("no frame at line " + second + ": " + acquired
						.children()));
		view.viewer().setSelection(new StructuredSelection(frame), true);
		TreeItem item = view.viewer().getTree().getSelection()[0];
		Event e = new Event();
		e.item = item;
		view.viewer().getTree().notifyListeners(SWT.DefaultSelection, e);
		assertEditorAt(source, second);

		// a marker opens the same way the Problems view opens it
		Workbench.page().closeAllEditors(false);
		IMarker first = warnings.stream().filter(m -> m.getAttribute(IMarker.LINE_NUMBER, -1) == lockLines.get(0))
				.findFirst().orElseThrow();
		IDE.openEditor(Workbench.page(), first);
		assertEditorAt(source, lockLines.get(0));
		Workbench.page().showView(IPageLayout.ID_PROBLEM_VIEW);
		Workbench.spin(1500);
		expandAll();
		assertTrue(Workbench.screenshot(Workbench.shell(), "problems-view.png").length() > 1000);
		recorded = trace;
		recordedMarkers = marked;
	}

	/** A replay launch with the deadlock analysis: insight analyze after it; the recording's markers replaced. */
	@Test
	@Order(2)
	public void replayAndAnalyzeReplacesTheRecordingsMarkers() throws Exception {
		assumeTrue(recorded != null, "no analyzed recording from the test before");
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.REPLAY_TYPE).newInstance(null, "philosophers replay analyzed");
		wc.setAttribute(LaunchAttributes.TRACE, recorded.toString());
		wc.setAttribute(LaunchAttributes.ANALYSES, LaunchAttributes.DEADLOCKS);
		LatestAnalysis.publish(new DeadlockReport(recorded, "", "", List.of(), List.of())); // see it change
		ILaunch launch = wc.doSave().launch(ILaunchManager.RUN_MODE, new NullProgressMonitor());
		assertTrue(Workbench.spinUntil(ENGINE_LIMIT, () -> Job.getJobManager().find(InsightCore.JOB_FAMILY).length == 0),
				"the replay and its analysis did not end within " + ENGINE_LIMIT);
		assertEquals(2, launch.getProcesses().length, "the replay, then insight analyze");
		assertEquals(0, launch.getProcesses()[0].getExitValue(), "the replay's exit status");
		assertEquals(0, launch.getProcesses()[1].getExitValue(), "insight analyze's exit status");
		DeadlockReport latest = LatestAnalysis.get().orElseThrow();
		assertEquals(1, latest.findings().size(), latest.toString());
		assertTrue(latest.replay().startsWith("replay verified"), latest.replay());
		IMarker[] markers = DeadlockMarkers.of(recorded.toString());
		Set<Integer> lines = new TreeSet<>();
		for (IMarker m : markers) {
			lines.add(m.getAttribute(IMarker.LINE_NUMBER, -1));
		}
		assertEquals(recordedMarkers.size(), markers.length, describe(markers));
		assertEquals(recordedMarkers, lines, describe(markers));
	}

	/** Opens every group of the Problems view (they start closed): its tree is the one with a Description column. */
	private static void expandAll() {
		Tree tree = problemsTree(Workbench.shell());
		assertNotNull(tree, "no Problems view tree");
		for (TreeItem item : tree.getItems()) {
			Event e = new Event();
			e.item = item;
			tree.notifyListeners(SWT.Expand, e); // the viewer makes the children
			item.setExpanded(true);
		}
		Workbench.spin(500);
	}

	private static Tree problemsTree(Composite c) {
		for (Control child : c.getChildren()) {
			if (child instanceof Tree t && t.isVisible() && t.getColumnCount() > 0
					&& "Description".equals(t.getColumn(0).getText())) {
				return t;
			}
			if (child instanceof Composite comp) {
				Tree t = problemsTree(comp);
				if (t != null) {
					return t;
				}
			}
		}
		return null;
	}

	private static void assertEditorAt(IFile file, int line) {
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(20), () -> Workbench.page().getActiveEditor() != null),
				"no editor opened");
		IEditorPart editor = Workbench.page().getActiveEditor();
		assertEquals(file, ((IFileEditorInput) editor.getEditorInput()).getFile());
		ITextEditor text = editor.getAdapter(ITextEditor.class);
		assertNotNull(text, "not a text editor: " + editor);
		Workbench.spin(300);
		ITextSelection sel = (ITextSelection) text.getSelectionProvider().getSelection();
		assertEquals(line, sel.getStartLine() + 1, "the editor's selected line");
	}

	/** The sample's source copied into a project, as an import would (its DWARF path is outside the workspace). */
	private static IFile importSample() throws Exception {
		Path c = Path.of(System.getProperty("insight.samples", "samples"), "philosophers.c");
		assertTrue(Files.isRegularFile(c), "no sample source " + c + " (system property insight.samples)");
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("philosophers-sample");
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		IFile file = project.getFile("philosophers.c");
		if (file.exists()) {
			file.setContents(new ByteArrayInputStream(Files.readAllBytes(c)), true, false, null);
		} else {
			file.create(new ByteArrayInputStream(Files.readAllBytes(c)), true, null);
		}
		return file;
	}

	/** The 1-based numbers of the lines of {@code file} that contain {@code text}. */
	private static List<Integer> linesOf(IFile file, String text) throws Exception {
		List<String> lines = Files.readAllLines(Path.of(file.getLocationURI()));
		List<Integer> found = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).contains(text)) {
				found.add(i + 1);
			}
		}
		return found;
	}

	private static Path philosophers() {
		Path p = Path.of(System.getProperty("insight.guests", ""), "musl", "philosophers");
		assertTrue(Files.isExecutable(p), "no sample " + p + " (system property insight.guests: run ./insight build)");
		return p;
	}

	private static DeadlocksView view() {
		return (DeadlocksView) Workbench.page().findView(DeadlocksView.ID);
	}

	private static String type(IMarker m) {
		try {
			return m.getType();
		} catch (Exception e) {
			return "";
		}
	}

	private static String describe(IMarker[] markers) {
		return Arrays.stream(markers).map(m -> m.getResource().getFullPath() + ":" + m.getAttribute(
				IMarker.LINE_NUMBER, -1) + " " + m.getAttribute(IMarker.MESSAGE, "")).collect(Collectors.joining(
						"; ", "[", "]"));
	}
}
