package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Shell;
import org.insight.core.InsightCore;
import org.insight.core.analysis.AnalyzerDescriptor;
import org.insight.core.analysis.AnalyzerMarkers;
import org.insight.core.analysis.AnalyzerRegistry;
import org.insight.core.analysis.DeadlockMarkers;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.core.analysis.ReportImport;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.launch.ReplayTab;
import org.insight.ui.views.AnalyzerResultsView;
import org.junit.jupiter.api.Test;

/**
 * The analyzer extension point: the built-ins and this bundle's contribution (plugin.xml) in the registry, an invalid
 * contribution left out; the Replay tab's check boxes from the registry; a report imported with the contributed
 * analyzer: its markers and its rows in the Analyzer Results view.
 */
public class AnalyzerExtensionTest {
	static final String CONTENDED = "org.insight.ui.tests.contended";

	@Test
	public void theRegistryHasTheBuiltInsAndTheContributionAndRefusesAnUnknownEngineAnalyzer() {
		List<AnalyzerDescriptor> all = AnalyzerRegistry.all();
		assertEquals(List.of("deadlocks", "locks", "functions", CONTENDED), all.stream().map(AnalyzerDescriptor::id)
				.toList());
		AnalyzerDescriptor contended = all.get(3);
		assertEquals("Contended locks (test contribution)", contended.name());
		assertEquals("org.insight.ui.tests", contended.contributor());
		assertEquals("locks", contended.engine().orElseThrow());
		assertEquals("locks", contended.member().orElseThrow());
		assertTrue(contended.hasReader());
		assertEquals(List.of("deadlocks", "locks"), AnalyzerRegistry.defaults());
		assertEquals(List.of("locks"), AnalyzerRegistry.engineAnalyzers(List.of(CONTENDED)));
		assertEquals(List.of("deadlocks", "locks", "functions"), AnalyzerRegistry.engineAnalyzers(List.of(CONTENDED,
				"functions", "deadlocks", "org.insight.ui.tests.unknownEngine")));
		assertEquals(List.of(), AnalyzerRegistry.engineAnalyzers(List.of("org.insight.ui.tests.unknownEngine")));
	}

	@Test
	public void theReplayTabListsTheRegistrysAnalyzers() throws Exception {
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.REPLAY_TYPE).newInstance(null, "analyzers");
		Shell shell = new Shell(Workbench.shell(), SWT.SHELL_TRIM);
		try {
			shell.setLayout(new org.eclipse.swt.layout.FillLayout());
			ReplayTab tab = new ReplayTab();
			tab.createControl(shell);
			tab.setDefaults(wc);
			assertEquals("deadlocks,locks", wc.getAttribute(LaunchAttributes.ANALYSES, ""));
			tab.initializeFrom(wc);
			List<Button> boxes = checkBoxes(shell);
			assertEquals(List.of("deadlocks", "locks", "functions", CONTENDED), boxes.stream().map(b -> (String) b
					.getData()).toList());
			assertEquals("Contended locks (test contribution)", boxes.get(3).getText());
			assertEquals(List.of(true, true, false, false), boxes.stream().map(Button::getSelection).toList());
			boxes.get(0).setSelection(false);
			boxes.get(3).setSelection(true);
			tab.performApply(wc);
			assertEquals("locks," + CONTENDED, wc.getAttribute(LaunchAttributes.ANALYSES, ""));
			shell.setSize(1000, 260);
			shell.open();
			assertTrue(Workbench.screenshot(shell, "replay-tab-analyzers.png").length() > 1000);
		} finally {
			shell.dispose();
		}
	}

	@Test
	public void theContributedAnalyzerMakesMarkersAndRowsOfItsMember() throws Exception {
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("analyzer-test");
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		IFile q = project.getFile("queue.c");
		byte[] text = "x;\n".repeat(40).getBytes(StandardCharsets.UTF_8);
		if (q.exists()) {
			q.setContents(new ByteArrayInputStream(text), true, false, null);
		} else {
			q.create(new ByteArrayInputStream(text), true, null);
		}
		String path = Path.of(q.getLocationURI()).toString();
		Path recording = Files.createTempDirectory("insight-analyzer").resolve("q.insight");
		// queue_lock contended at push (3) and not at pop; stats_lock never contended
		String json = """
				{"schema": "insight-analysis", "version": 3, "program": "/bin/q", "replay": "replay verified: 7 frames",
				 "deadlocks": null, "functions": null,
				 "locks": {"order": "wait-total", "top": 0, "all": 2, "total": {"acquisitions": 30, "contended": 3},
				  "locks": [
				   {"name": "queue_lock", "address": "0x10", "kind": "mutex", "mode": "exclusive",
				    "stats": {"acquisitions": 20, "contended": 3},
				    "sites": [{"function": "push", "site": %1$s, "stats": {"acquisitions": 10, "contended": 3}},
				              {"function": "pop", "site": %2$s, "stats": {"acquisitions": 10, "contended": 0}}]},
				   {"name": "stats_lock", "address": "0x20", "kind": "mutex", "mode": "exclusive",
				    "stats": {"acquisitions": 10, "contended": 0},
				    "sites": [{"function": "count", "site": %3$s, "stats": {"acquisitions": 10, "contended": 0}}]}]}}
				""".formatted(frame("push", path, 12), frame("pop", path, 20), frame("count", path, 30));
		Path report = recording.resolveSibling("q.insight.analysis.json");
		Files.writeString(report, json);

		ReportImport.run(recording, report, List.of("locks", CONTENDED), new NullProgressMonitor());
		IMarker[] markers = AnalyzerMarkers.of(recording.toString());
		assertEquals(1, markers.length);
		assertEquals(AnalyzerMarkers.TYPE, markers[0].getType());
		assertTrue(markers[0].isSubtypeOf(DeadlockMarkers.FINDING));
		assertEquals(q, markers[0].getResource());
		assertEquals(12, markers[0].getAttribute(IMarker.LINE_NUMBER, -1));
		assertEquals(CONTENDED, markers[0].getAttribute(AnalyzerMarkers.ANALYZER, ""));
		assertEquals("Contended lock queue_lock: 3 contended acquisitions here", markers[0].getAttribute(
				IMarker.MESSAGE, ""));
		assertEquals(0, DeadlockMarkers.of(recording.toString()).length);
		var result = LatestAnalysis.report().orElseThrow().contributed().get(CONTENDED);
		assertEquals(List.of("queue_lock"), result.rows().stream().map(r -> r.text()).toList());

		Workbench.page().showView(AnalyzerResultsView.ID);
		AnalyzerResultsView view = (AnalyzerResultsView) Workbench.page().findView(AnalyzerResultsView.ID);
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(10), () -> view.nodes().size() == 1), view.nodes()
				.toString());
		var top = view.nodes().get(0);
		assertEquals("Contended locks (test contribution)", top.text());
		assertEquals("queue_lock", top.children().get(0).text());
		assertEquals("push", top.children().get(0).children().get(0).text());
		assertEquals(12, top.children().get(0).children().get(0).row().frame().line());
		view.viewer().expandAll();
		assertTrue(Workbench.screenshot(Workbench.shell(), "analyzer-results-view.png").length() > 1000);

		// a launch that did not choose the contribution: its member is not read, its markers are replaced by none
		ReportImport.run(recording, report, List.of("locks"), new NullProgressMonitor());
		assertEquals(0, AnalyzerMarkers.of(recording.toString()).length);
		assertTrue(LatestAnalysis.report().orElseThrow().contributed().isEmpty());
		assertTrue(Arrays.stream(q.findMarkers(AnalyzerMarkers.TYPE, false, 0)).noneMatch(m -> recording.toString()
				.equals(m.getAttribute(DeadlockMarkers.RECORDING, ""))));
	}

	private static List<Button> checkBoxes(Control c) {
		List<Button> out = new ArrayList<>();
		if (c instanceof Button b && (b.getStyle() & SWT.CHECK) != 0) {
			out.add(b);
		}
		if (c instanceof Composite comp) {
			for (Control child : comp.getChildren()) {
				out.addAll(checkBoxes(child));
			}
		}
		return out;
	}

	private static String frame(String function, String file, int line) {
		return "{\"address\": \"0x401000\", \"function\": \"" + function + "\", \"file\": \"" + file
				+ "\", \"line\": " + line + ", \"inlined\": [], \"note\": \"\"}";
	}
}
