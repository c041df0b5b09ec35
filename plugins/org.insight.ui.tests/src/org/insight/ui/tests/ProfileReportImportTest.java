package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Item;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IFileEditorInput;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.texteditor.ITextEditor;
import org.insight.core.analysis.CallTree.Node;
import org.insight.core.analysis.FunctionProfileReport.Function;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.core.analysis.ReportImport;
import org.insight.ui.views.FunctionProfileView;
import org.insight.ui.views.LockProfileView;
import org.insight.ui.views.LockRows;
import org.insight.ui.views.LockRows.Row;
import org.junit.jupiter.api.Test;

/**
 * The profile views on a hand-written report in the documented schema (no engine, no KVM): the Lock Profile view's
 * locks and sites, sorted by a click on a column header (again: reversed), a double-click on a site opening its line;
 * the Function Profile view's table sorted by calls, self and inclusive time, its call tree, and the flame graph's
 * frames, hover, focus (click) and the way back (a click on an ancestor, Reset). Screenshots of both views.
 */
public class ProfileReportImportTest {

	@Test
	public void lockProfileRowsSortAndOpenTheirSites() throws Exception {
		IFile a = sourceFile();
		Path recording = importReport(a);
		Workbench.page().showView(LockProfileView.ID);
		LockProfileView view = (LockProfileView) Workbench.page().findView(LockProfileView.ID);
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(10), () -> view.rows().size() == 2), view.rows()
				.toString());
		assertTrue(view.getContentDescription().contains(recording.getFileName().toString()), view
				.getContentDescription());
		Row stats = view.rows().get(0);
		assertEquals("stats_lock", stats.text());
		assertEquals("0x4c5000, mutex, exclusive", stats.location());
		assertEquals(100, stats.stats().acquisitions());
		assertEquals(List.of("push a.c:5 60", "pop a.c:9 40"), stats.children().stream().map(r -> r.text() + " "
				+ last(r.location()) + " " + r.stats().acquisitions()).toList());
		assertEquals("(unknown site)", view.rows().get(1).children().get(0).text());

		// the engine's order, then by wait total (largest first), again (reversed), by acquisitions
		assertEquals(List.of("stats_lock", "queue_lock"), shownLocks(view));
		view.sortBy(LockRows.Column.WAIT_TOTAL);
		assertEquals(List.of("queue_lock", "stats_lock"), shownLocks(view));
		assertEquals(SWT.DOWN, view.viewer().getTree().getSortDirection());
		view.sortBy(LockRows.Column.WAIT_TOTAL);
		assertEquals(List.of("stats_lock", "queue_lock"), shownLocks(view));
		assertEquals(SWT.UP, view.viewer().getTree().getSortDirection());
		view.sortBy(LockRows.Column.HOLD_MAX);
		assertEquals(List.of("stats_lock", "queue_lock"), shownLocks(view));
		view.sortBy(LockRows.Column.CONTENDED);
		assertEquals(List.of("queue_lock", "stats_lock"), shownLocks(view));
		// the sites sort alike: by acquisitions, push (60) before pop (40); reversed, pop first
		view.sortBy(LockRows.Column.ACQUISITIONS);
		view.viewer().expandAll();
		assertEquals(List.of("push", "pop"), shownSites(view, stats));
		view.sortBy(LockRows.Column.ACQUISITIONS);
		assertEquals(List.of("pop", "push"), shownSites(view, stats));

		maximized(view, () -> assertTrue(Workbench.screenshot(Workbench.shell(), "lock-profile-view-import.png")
				.length() > 1000));

		// a double-click on a site opens its source at the line
		Workbench.page().closeAllEditors(false);
		Row pop = stats.children().get(1);
		view.viewer().setSelection(new StructuredSelection(pop), true);
		Event e = new Event();
		e.item = view.viewer().getTree().getSelection()[0];
		view.viewer().getTree().notifyListeners(SWT.DefaultSelection, e);
		assertEditorAt(a, 9);
		Workbench.page().closeAllEditors(false);
	}

	@Test
	public void functionProfileTableCallTreeAndFlameGraph() throws Exception {
		IFile a = sourceFile();
		importReport(a);
		Workbench.page().showView(FunctionProfileView.ID);
		FunctionProfileView view = (FunctionProfileView) Workbench.page().findView(FunctionProfileView.ID);
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(10), () -> view.profile() != null
				&& view.shownFunctions().size() == 5), String.valueOf(view.profile()));
		assertEquals(List.of("main", "work", "leaf", "other", "worker"), names(view.shownFunctions()));
		view.sortBy(FunctionProfileView.Column.CALLS);
		assertEquals(List.of("leaf", "work", "main", "other", "worker"), names(view.shownFunctions()));
		view.sortBy(FunctionProfileView.Column.SELF);
		assertEquals(List.of("leaf", "work", "main", "other", "worker"), names(view.shownFunctions()));
		view.sortBy(FunctionProfileView.Column.INCLUSIVE);
		assertEquals(List.of("main", "leaf", "work", "worker", "other"), names(view.shownFunctions()));
		view.sortBy(FunctionProfileView.Column.INCLUSIVE);
		assertEquals(List.of("other", "worker", "work", "leaf", "main"), names(view.shownFunctions()));
		view.sortBy(FunctionProfileView.Column.INCLUSIVE);

		// the call tree, from the paths: every thread, then main (1200 ns) and worker (400 ns)
		Node root = view.callTree();
		assertEquals(1600, root.inclusiveNanos());
		assertEquals(List.of("main 1200", "worker 400"), root.children().stream().map(n -> n.function() + " " + n
				.inclusiveNanos()).toList());
		Node main = root.children().get(0);
		Node work = main.children().get(0);
		assertEquals(List.of("work", "other"), main.children().stream().map(Node::function).toList());
		assertEquals(2, work.calls());
		Node leafUnderWork = work.children().get(0);
		assertEquals(10, leafUnderWork.calls());
		assertEquals(500, leafUnderWork.inclusiveNanos());

		Workbench.shell().setBounds(0, 0, 1280, 900);
		maximized(view, () -> {
			// the flame graph: the root spans the width, main three quarters of it
			int width = view.flameCanvas().getClientArea().width;
			List<String> frames = view.flameFrames();
			assertTrue(frames.contains("all x=0 w=" + width), frames.toString());
			assertTrue(frames.contains("main x=0 w=" + Math.round(width * 0.75)), frames.toString());
			// hover: the details of the frame under the mouse
			Point p = view.flamePoint(work).orElseThrow();
			mouse(view.flameCanvas(), SWT.MouseMove, p);
			assertTrue(view.flameInfo().startsWith("work: 2 call(s), 800 ns inclusive (50.0% of all)"), view
					.flameInfo());
			assertTrue(Workbench.screenshot(Workbench.shell(), "function-profile-view-import.png").length() > 1000);

			// a click on work focuses it: it spans the width, leaf 500 of its 800 ns, main and the root greyed below
			mouse(view.flameCanvas(), SWT.MouseDown, p);
			mouse(view.flameCanvas(), SWT.MouseUp, p);
			assertEquals(work, view.flameFocus());
			frames = view.flameFrames();
			assertTrue(frames.contains("main;work x=0 w=" + width), frames.toString());
			assertTrue(frames.contains("main x=0 w=" + width + " ancestor"), frames.toString());
			assertTrue(frames.contains("main;work;leaf x=0 w=" + Math.round(width * 500.0 / 800)), frames.toString());
			assertTrue(frames.stream().noneMatch(f -> f.startsWith("worker") || f.startsWith("main;other")), frames
					.toString());
			assertTrue(view.flameInfo().startsWith("Focused on work"), view.flameInfo());
			mouse(view.flameCanvas(), SWT.MouseExit, p);
			assertTrue(Workbench.screenshot(Workbench.shell(), "function-profile-flame-focused.png").length() > 1000);

			// back: a click on the grey main focuses main; Reset shows every thread again
			Point m = view.flamePoint(main).orElseThrow();
			mouse(view.flameCanvas(), SWT.MouseUp, m);
			assertEquals(main, view.flameFocus());
			resetButton(view.flameCanvas().getParent()).notifyListeners(SWT.Selection, new Event());
			assertEquals(root, view.flameFocus());

			view.selectTab(1);
			view.tree().expandAll();
			Workbench.spin(200);
			assertTrue(Workbench.screenshot(Workbench.shell(), "function-profile-calltree.png").length() > 1000);
			view.selectTab(0);
		});

		// a double-click on a function opens its definition's line
		Workbench.page().closeAllEditors(false);
		Function leaf = view.profile().function("leaf").orElseThrow();
		view.table().setSelection(new StructuredSelection(leaf), true);
		Event e = new Event();
		e.item = view.table().getTable().getSelection()[0];
		view.table().getTable().notifyListeners(SWT.DefaultSelection, e);
		assertEditorAt(a, 7);
		Workbench.page().closeAllEditors(false);
	}

	private static void maximized(org.eclipse.ui.IViewPart view, Runnable r) {
		Workbench.shell().setBounds(0, 0, 1280, 900);
		Workbench.page().activate(view);
		var ref = Workbench.page().getReference(view);
		Workbench.page().setPartState(ref, IWorkbenchPage.STATE_MAXIMIZED);
		Workbench.spin(300);
		try {
			r.run();
		} finally {
			Workbench.page().setPartState(ref, IWorkbenchPage.STATE_RESTORED);
		}
	}

	private static void mouse(Control c, int type, Point p) {
		Event e = new Event();
		e.x = p.x;
		e.y = p.y;
		e.button = type == SWT.MouseMove || type == SWT.MouseExit ? 0 : 1;
		c.notifyListeners(type, e);
	}

	private static org.eclipse.swt.widgets.Button resetButton(org.eclipse.swt.widgets.Composite c) {
		return Arrays.stream(c.getChildren()).filter(x -> x instanceof org.eclipse.swt.widgets.Button).map(
				x -> (org.eclipse.swt.widgets.Button) x).findFirst().orElseThrow();
	}

	private static List<String> names(List<Function> functions) {
		return functions.stream().map(Function::name).toList();
	}

	private static List<String> shownLocks(LockProfileView view) {
		Tree t = view.viewer().getTree();
		return Arrays.stream(t.getItems()).map(i -> ((Row) i.getData()).text().split(" ")[0]).toList();
	}

	private static List<String> shownSites(LockProfileView view, Row lock) {
		Tree t = view.viewer().getTree();
		Item item = Arrays.stream(t.getItems()).filter(i -> i.getData() == lock).findFirst().orElseThrow();
		return Arrays.stream(((org.eclipse.swt.widgets.TreeItem) item).getItems()).map(i -> ((Row) i.getData())
				.text()).toList();
	}

	private static String last(String location) {
		return location.substring(location.lastIndexOf('/') + 1);
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

	private static IFile sourceFile() throws Exception {
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("profile-import-test");
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		IFile f = project.getFile("a.c");
		byte[] text = "x;\n".repeat(20).getBytes(StandardCharsets.UTF_8);
		if (!f.exists()) {
			f.create(new ByteArrayInputStream(text), true, null);
		}
		return f;
	}

	/** A report with no deadlock analysis (null), a lock profile and a function profile, imported and published. */
	private static Path importReport(IFile a) throws Exception {
		String aPath = Path.of(a.getLocationURI()).toString();
		Path dir = Files.createTempDirectory("insight-profile");
		Path recording = dir.resolve("profiled.insight");
		String json = """
				{"schema": "insight-analysis", "version": 3, "program": "/bin/app", "replay": "replay verified: 9 frames",
				 "analyzers": ["locks/1", "functions/1"], "events": 12, "linesNote": "", "deadlocks": null, "future": {"x": 1},
				 "locks": {"order": "wait-total", "top": 0, "all": 2,
				  "total": %1$s,
				  "locks": [
				   {"name": "stats_lock", "address": "0x4c5000", "kind": "mutex", "mode": "exclusive", "stats": %2$s,
				    "sites": [{"function": "push", "site": %3$s, "stats": %4$s},
				              {"function": "pop", "site": %5$s, "stats": %6$s}]},
				   {"name": "queue_lock", "address": "0x4c5040", "kind": "mutex", "mode": "exclusive", "stats": %7$s,
				    "sites": [{"function": "", "site": null, "stats": %7$s}]}]},
				 "functions": {"hooked": 5, "threads": 2, "totalNanos": 1600,
				  "functions": [%8$s, %9$s, %10$s, %11$s, %12$s],
				  "edges": [{"caller": null, "callee": "main", "calls": 1, "selfNanos": 100, "inclusiveNanos": 1200, "inclusiveCalls": 1},
				    {"caller": "main", "callee": "work", "calls": 2, "selfNanos": 300, "inclusiveNanos": 800, "inclusiveCalls": 2}],
				  "paths": [{"stack": ["main"], "calls": 1, "selfNanos": 100},
				    {"stack": ["main", "work"], "calls": 2, "selfNanos": 300},
				    {"stack": ["main", "work", "leaf"], "calls": 10, "selfNanos": 500},
				    {"stack": ["main", "other"], "calls": 1, "selfNanos": 100},
				    {"stack": ["main", "other", "leaf"], "calls": 5, "selfNanos": 200},
				    {"stack": ["worker"], "calls": 1, "selfNanos": 0},
				    {"stack": ["worker", "leaf"], "calls": 3, "selfNanos": 400}]}}
				""".formatted(stats(110, 10, 7_005_000, 920_000, 90_000), stats(100, 2, 5_000, 900_000, 90_000),
				frame("push", aPath, 5), stats(60, 1, 2_000, 500_000, 90_000), frame("pop", aPath, 9), stats(40, 1,
						3_000, 400_000, 50_000), stats(10, 8, 7_000_000, 20_000, 4_000), function("main", aPath, 3, 1,
								100, 1200), function("work", aPath, 5, 2, 300, 800), function("leaf", aPath, 7, 18,
										1100, 1100), function("other", aPath, 9, 1, 100, 300), function("worker",
												aPath, 11, 1, 0, 400));
		Path report = dir.resolve("profiled.insight.analysis.json");
		Files.writeString(report, json);
		ReportImport.run(recording, report, new NullProgressMonitor());
		assertTrue(LatestAnalysis.report().orElseThrow().locks().isPresent());
		return recording;
	}

	private static String stats(long acquisitions, long contended, long waitTotal, long holdTotal, long holdMax) {
		return "{\"acquisitions\": " + acquisitions + ", \"contended\": " + contended + ", \"failedTrylocks\": 0, "
				+ "\"waitTotalNs\": " + waitTotal + ", \"waitMaxNs\": " + waitTotal / 2 + ", \"waitMeanNs\": "
				+ waitTotal / acquisitions + ", \"holds\": " + acquisitions + ", \"holdTotalNs\": " + holdTotal
				+ ", \"holdMaxNs\": " + holdMax + ", \"holdMeanNs\": " + holdTotal / acquisitions
				+ ", \"heldAtExit\": 0}";
	}

	private static String frame(String function, String file, int line) {
		return "{\"address\": \"0x401000\", \"function\": \"" + function + "\", \"file\": \"" + file
				+ "\", \"line\": " + line + ", \"inlined\": [], \"note\": \"\"}";
	}

	private static String function(String name, String file, int line, long calls, long self, long inclusive) {
		return "{\"name\": \"" + name + "\", \"address\": \"0x401000\", \"file\": \"" + file + "\", \"line\": " + line
				+ ", \"calls\": " + calls + ", \"recursiveCalls\": 0, \"selfNanos\": " + self + ", \"inclusiveNanos\": "
				+ inclusive + ", \"unreturned\": 0}";
	}
}
