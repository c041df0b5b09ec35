package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IFolder;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.insight.core.analysis.DeadlockMarkers;
import org.insight.core.analysis.DeadlockReport;
import org.insight.core.analysis.ReportImport;
import org.insight.ui.views.DeadlockRows.Kind;
import org.insight.ui.views.DeadlockRows.Row;
import org.insight.ui.views.DeadlocksView;
import org.junit.jupiter.api.Test;

/**
 * The import of an engine report without the engine (no KVM needed): a report in the documented schema
 * ({@code insight-analysis}, with members of other analyses the IDE does not read) becomes markers and the Deadlocks
 * view's rows; a second import of the same recording replaces its markers; a file that is not a report gives a
 * one-line error naming it.
 */
public class DeadlockReportImportTest {

	@Test
	public void aReportBecomesMarkersAndRowsAndReplacesTheRecordingsMarkers() throws Exception {
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("import-test");
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		IFile a = file(project, "a.c", 12);
		IFolder src = project.getFolder("src");
		if (!src.exists()) {
			src.create(true, true, null);
		}
		IFile b = file(project, "src/b.c", 30);
		Path dir = Files.createTempDirectory("insight-import");
		Path recording = dir.resolve("app.insight");
		// a.c by its location; b.c built elsewhere (project-relative: src/b.c); libc frames without a source
		String aPath = Path.of(a.getLocationURI()).toString();
		String json = """
				{"schema": "insight-analysis", "version": 1, "program": "/bin/app", "replay": "replay verified: 9 frames",
				 "analyzers": ["deadlocks", "lock-profile"], "lockProfile": {"sites": [{"x": 1}]},
				 "deadlocks": {"locks": 3, "edges": 3, "truncated": false, "future": [1, 2],
				  "findings": [{"id": "DL-0001", "locks": [{"name": "m1", "address": "0x10", "kind": "mutex", "init": null},
				     {"name": "m2", "address": "0x20", "kind": "mutex", "init": null}], "threads": [2, 3],
				   "edges": [
				    {"from": "m1", "to": "m2", "count": 4, "threads": [2], "first": {"thread": 2, "position": 7,
				      "held": {"function": "f", "stack": [%1$s, %2$s]},
				      "acquired": {"function": "f", "stack": [%1$s, %3$s]}}},
				    {"from": "m2", "to": "m1", "count": 1, "threads": [3], "first": {"thread": 3, "position": 9,
				      "held": {"function": "g", "stack": [%4$s]},
				      "acquired": {"function": "g", "stack": [%5$s]}}}]}],
				  "filtered": [{"id": "DL-0002", "locks": [{"name": "m1"}, {"name": "m3"}], "threads": [2],
				   "reasons": ["single thread: every edge was taken by thread 2"],
				   "edges": [{"from": "m1", "to": "m3", "count": 1, "threads": [2], "first": {"thread": 2, "position": 3,
				      "held": {"function": "h", "stack": [%6$s]}, "acquired": {"function": "h", "stack": [%6$s]}}}]}]}}
				""".formatted(frame("__lock", "??", 0), frame("f", aPath, 5), frame("f", aPath, 6),
				frame("g", "/elsewhere/build/src/b.c", 20), frame("g", "/elsewhere/build/src/b.c", 21),
				frame("h", aPath, 9));
		Path report = dir.resolve("app.insight.analysis.json");
		Files.writeString(report, json);

		DeadlockReport r = ReportImport.run(recording, report, new NullProgressMonitor());
		assertEquals(1, r.findings().size());
		assertEquals(1, r.filtered().size());
		List<String> marks = marks(recording);
		assertEquals(List.of("deadlock a.c:5 DL-0001", "deadlock a.c:6 DL-0001", "deadlock b.c:20 DL-0001",
				"deadlock b.c:21 DL-0001", "filteredCycle a.c:9 DL-0002"), marks);
		IMarker info = Arrays.stream(DeadlockMarkers.of(recording.toString()))
				.filter(m -> m.getAttribute(IMarker.SEVERITY, -1) == IMarker.SEVERITY_INFO).findFirst().orElseThrow();
		assertTrue(info.getAttribute(IMarker.MESSAGE, "").contains("single thread"), info.getAttribute(
				IMarker.MESSAGE, ""));

		// the same recording again: its markers are replaced, not added to
		ReportImport.run(recording, report, new NullProgressMonitor());
		assertEquals(marks, marks(recording));

		// the view shows the latest import: the finding open, the filtered cycle greyed with its reason
		Workbench.page().showView(DeadlocksView.ID);
		DeadlocksView view = (DeadlocksView) Workbench.page().findView(DeadlocksView.ID);
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(10), () -> view.rows().size() == 2), view.rows()
				.toString());
		Row finding = view.rows().get(0);
		Row filtered = view.rows().get(1);
		assertEquals(Kind.FINDING, finding.kind());
		assertFalse(finding.greyed());
		assertEquals(2, finding.children().size());
		assertEquals("a.c:6", last(finding.children().get(0).location()));
		assertEquals(Kind.FILTERED, filtered.kind());
		assertTrue(filtered.greyed());
		assertTrue(filtered.text().contains("single thread"), filtered.text());
		Workbench.shell().setBounds(0, 0, 1280, 900);
		view.viewer().expandToLevel(3); // findings, edges, stacks
		var ref = Workbench.page().getReference(view);
		Workbench.page().setPartState(ref, org.eclipse.ui.IWorkbenchPage.STATE_MAXIMIZED);
		view.viewer().getTree().setTopItem(view.viewer().getTree().getItem(0));
		assertTrue(Workbench.screenshot(Workbench.shell(), "deadlocks-view-import.png").length() > 1000);
		Workbench.page().setPartState(ref, org.eclipse.ui.IWorkbenchPage.STATE_RESTORED);

		// not a report: a one-line error naming the file
		Path other = dir.resolve("other.json");
		Files.writeString(other, "{\"schema\": \"something-else\"}");
		CoreException e = assertThrows(CoreException.class, () -> ReportImport.run(recording, other, null));
		assertTrue(e.getMessage().contains(other.toString()) && !e.getMessage().contains("\n"), e.getMessage());
		Files.writeString(other, "{\"schema\": ");
		e = assertThrows(CoreException.class, () -> ReportImport.run(recording, other, null));
		assertTrue(e.getMessage().contains(other.toString()) && !e.getMessage().contains("\n"), e.getMessage());
	}

	/** An actual deadlock (the run ended in it) is an error marker on each of its sites, and the view's first row. */
	@Test
	public void anActualDeadlockIsAnErrorOnEachSiteAndTheFirstRow() throws Exception {
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("import-test");
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		IFile d = file(project, "deadlock.c", 50);
		String path = Path.of(d.getLocationURI()).toString();
		Path recording = Files.createTempDirectory("insight-import").resolve("dl.insight");
		String json = """
				{"schema": "insight-analysis", "version": 3, "program": "/bin/deadlock", "replay": "replay verified: 5 frames",
				 "deadlocks": {"locks": 2, "edges": 0, "truncated": false, "findings": [], "filtered": [],
				  "actual": [{"id": "AD-0001", "locks": [{"name": "accounts_lock"}, {"name": "audit_lock"}],
				   "threads": [2, 3], "edges": [
				    {"from": "accounts_lock", "to": "audit_lock", "count": 1, "threads": [2], "first": {"thread": 2,
				      "position": 4, "held": {"function": "pthread_mutex_lock", "stack": [%1$s]},
				      "acquired": {"function": "pthread_mutex_lock", "stack": [%2$s]}}},
				    {"from": "audit_lock", "to": "accounts_lock", "count": 1, "threads": [3], "first": {"thread": 3,
				      "position": 5, "held": {"function": "pthread_mutex_lock", "stack": [%3$s]},
				      "acquired": {"function": "pthread_mutex_lock", "stack": [%4$s]}}}]}]},
				 "locks": null, "functions": null}
				""".formatted(frame("bookkeeper", path, 22), frame("bookkeeper", path, 25), frame("auditor", path, 33),
				frame("auditor", path, 40));
		Path report = recording.resolveSibling("dl.insight.analysis.json");
		Files.writeString(report, json);

		DeadlockReport r = ReportImport.run(recording, report, new NullProgressMonitor());
		assertEquals(1, r.actual().size());
		assertEquals(List.of("actualDeadlock deadlock.c:22 AD-0001", "actualDeadlock deadlock.c:25 AD-0001",
				"actualDeadlock deadlock.c:33 AD-0001", "actualDeadlock deadlock.c:40 AD-0001"), marks(recording));
		assertTrue(Arrays.stream(DeadlockMarkers.of(recording.toString()))
				.allMatch(m -> m.getAttribute(IMarker.SEVERITY, -1) == IMarker.SEVERITY_ERROR));

		Workbench.page().showView(DeadlocksView.ID);
		DeadlocksView view = (DeadlocksView) Workbench.page().findView(DeadlocksView.ID);
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(10), () -> view.rows().size() == 1
				&& view.rows().get(0).text().startsWith("Actual deadlock AD-0001")), view.rows().toString());
		Row actual = view.rows().get(0);
		assertEquals(2, actual.children().size());
		assertEquals("thread 2 holds accounts_lock and waits for audit_lock", actual.children().get(0).text());
		assertEquals("deadlock.c:25", last(actual.children().get(0).location()));
		view.viewer().expandToLevel(3);
		assertTrue(Workbench.screenshot(Workbench.shell(), "deadlocks-view-actual.png").length() > 1000);
	}

	private static String last(String location) {
		return location.substring(location.lastIndexOf('/') + 1);
	}

	private static List<String> marks(Path recording) throws CoreException {
		return Arrays.stream(DeadlockMarkers.of(recording.toString())).map(m -> {
			try {
				return m.getType().substring(m.getType().lastIndexOf('.') + 1) + " " + m.getResource().getName() + ":"
						+ m.getAttribute(IMarker.LINE_NUMBER, -1) + " " + m.getAttribute(DeadlockMarkers.FINDING_ID,
								"");
			} catch (CoreException e) {
				throw new AssertionError(e);
			}
		}).sorted().toList();
	}

	private static String frame(String function, String file, int line) {
		return "{\"address\": \"0x401000\", \"function\": \"" + function + "\", \"file\": \"" + file
				+ "\", \"line\": " + line + ", \"inlined\": [], \"note\": \"\"}";
	}

	private static IFile file(IProject project, String path, int lines) throws CoreException {
		IFile f = project.getFile(path);
		byte[] text = "x;\n".repeat(lines).getBytes(StandardCharsets.UTF_8);
		if (f.exists()) {
			f.setContents(new ByteArrayInputStream(text), true, false, null);
		} else {
			f.create(new ByteArrayInputStream(text), true, null);
		}
		return f;
	}
}
