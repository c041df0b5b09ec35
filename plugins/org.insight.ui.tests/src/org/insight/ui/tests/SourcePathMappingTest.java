package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IFolder;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IURIEditorInput;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.eclipse.ui.texteditor.ITextEditor;
import org.insight.core.analysis.DeadlockMarkers;
import org.insight.core.analysis.DeadlockReport.Frame;
import org.insight.core.analysis.PathMappings;
import org.insight.core.analysis.PathMappings.Mapping;
import org.insight.core.analysis.ReportImport;
import org.insight.core.analysis.SourceLookup;
import org.insight.ui.preferences.SourceMappingPreferencePage;
import org.insight.ui.views.SourceEditors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The source path mappings: a report whose paths start with {@code /build/elsewhere/} (a program built in another
 * folder) finds the wrong file by its name alone (another project has one at its root), and the right workspace file
 * once a mapping {@code /build/elsewhere/lib -> PROJECT/code} is set; its markers land there and a double-click opens
 * it at the line. A mapping to a folder outside the workspace opens the file on disk. The preference page shows them.
 */
public class SourcePathMappingTest {

	@AfterEach
	public void clearMappings() throws Exception {
		PathMappings.set(List.of());
	}

	@Test
	public void aMappedBuildPathOpensTheRightWorkspaceFile() throws Exception {
		IProject target = project("mapped-target");
		IFolder code = target.getFolder("code");
		if (!code.exists()) {
			code.create(true, true, null);
		}
		IFile right = file(target, "code/m.c");
		IFile decoy = file(project("mapped-decoy"), "m.c");
		String built = "/build/elsewhere/lib/m.c";

		PathMappings.set(List.of());
		assertEquals(Optional.of(decoy), SourceLookup.find(built), "by its name alone: the decoy at a project's root");

		String local = Path.of(code.getLocationURI()).toString();
		PathMappings.set(List.of(new Mapping("/build", "/nowhere"), new Mapping("/build/elsewhere/lib/", local)));
		assertEquals(Optional.of(local + "/m.c"), PathMappings.map(built, PathMappings.get()), "the longest prefix");
		assertEquals(Optional.empty(), PathMappings.map("/build/elsewhere/library/m.c", List.of(new Mapping(
				"/build/elsewhere/lib", local))), "a prefix matches whole segments");
		assertEquals(Optional.of(right), SourceLookup.find(built));

		// the markers of a report with those paths land on the mapped file
		Path recording = Files.createTempDirectory("insight-mapping").resolve("m.insight");
		Path report = recording.resolveSibling("m.insight.analysis.json");
		Files.writeString(report, """
				{"schema": "insight-analysis", "version": 3, "program": "/bin/m", "replay": "replay verified: 3 frames",
				 "deadlocks": {"locks": 2, "edges": 2, "truncated": false, "filtered": [], "actual": [],
				  "findings": [{"id": "DL-0001", "locks": [{"name": "a"}, {"name": "b"}], "threads": [2, 3], "edges": [
				    {"from": "a", "to": "b", "count": 1, "threads": [2], "first": {"thread": 2, "position": 1,
				      "held": {"function": "f", "stack": [%1$s]}, "acquired": {"function": "f", "stack": [%2$s]}}},
				    {"from": "b", "to": "a", "count": 1, "threads": [3], "first": {"thread": 3, "position": 2,
				      "held": {"function": "g", "stack": [%3$s]}, "acquired": {"function": "g", "stack": [%4$s]}}}]}]},
				 "locks": null, "functions": null}
				""".formatted(frame("f", built, 5), frame("f", built, 6), frame("g", built, 11), frame("g", built, 12)));
		ReportImport.run(recording, report, new NullProgressMonitor());
		IMarker[] markers = DeadlockMarkers.of(recording.toString());
		assertEquals(List.of("m.c:11", "m.c:12", "m.c:5", "m.c:6"), Arrays.stream(markers).map(m -> m.getResource()
				.getName() + ":" + m.getAttribute(IMarker.LINE_NUMBER, -1)).sorted().toList());
		assertTrue(Arrays.stream(markers).allMatch(m -> m.getResource().equals(right)));
		assertEquals(0, decoy.findMarkers(DeadlockMarkers.FINDING, true, 0).length);

		IEditorPart editor = SourceEditors.open(Workbench.page(), List.of(new Frame("f", built, 6))).orElseThrow();
		assertEquals(right, editor.getEditorInput().getAdapter(IFile.class));
		assertEquals(6, line(editor));
		Workbench.page().closeAllEditors(false);
	}

	@Test
	public void aMappingOutsideTheWorkspaceOpensTheFileOnDisk() throws Exception {
		Path outside = Files.createTempDirectory("insight-external");
		Path c = outside.resolve("ext.c");
		Files.writeString(c, "x;\n".repeat(20));
		String built = "/build/other/src/ext.c";
		assertTrue(SourceEditors.open(Workbench.page(), List.of(new Frame("h", built, 9))).isEmpty());
		PathMappings.set(List.of(new Mapping("/build/other/src", outside.toString())));
		assertEquals(Optional.empty(), SourceLookup.find(built));
		assertEquals(Optional.of(c), SourceLookup.external(built));
		IEditorPart editor = SourceEditors.open(Workbench.page(), List.of(new Frame("h", built, 9))).orElseThrow();
		assertEquals(c.toUri(), ((IURIEditorInput) editor.getEditorInput()).getURI());
		assertEquals(9, line(editor));
		Workbench.page().closeAllEditors(false);

		// the preference page shows the table
		PathMappings.set(List.of(new Mapping("/build/other/src", outside.toString()), new Mapping("/build/elsewhere/lib",
				"/home/me/project/code")));
		PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(Workbench.shell(),
				SourceMappingPreferencePage.ID, null, null);
		dialog.setBlockOnOpen(false);
		dialog.open();
		try {
			SourceMappingPreferencePage page = (SourceMappingPreferencePage) dialog.getSelectedPage();
			assertEquals(PathMappings.get(), page.mappings());
			dialog.getShell().setSize(1000, 520);
			assertTrue(Workbench.screenshot(dialog.getShell(), "source-lookup-preferences.png").length() > 1000);
		} finally {
			dialog.close();
		}
	}

	private static int line(IEditorPart editor) {
		ITextEditor text = editor.getAdapter(ITextEditor.class);
		return ((ITextSelection) text.getSelectionProvider().getSelection()).getStartLine() + 1;
	}

	private static IProject project(String name) throws Exception {
		IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject(name);
		if (!p.exists()) {
			p.create(null);
		}
		p.open(null);
		return p;
	}

	private static IFile file(IProject project, String path) throws Exception {
		IFile f = project.getFile(path);
		byte[] text = "x;\n".repeat(30).getBytes(StandardCharsets.UTF_8);
		if (f.exists()) {
			f.setContents(new ByteArrayInputStream(text), true, false, null);
		} else {
			f.create(new ByteArrayInputStream(text), true, null);
		}
		return f;
	}

	private static String frame(String function, String file, int line) {
		return "{\"address\": \"0x401000\", \"function\": \"" + function + "\", \"file\": \"" + file
				+ "\", \"line\": " + line + ", \"inlined\": [], \"note\": \"\"}";
	}
}
