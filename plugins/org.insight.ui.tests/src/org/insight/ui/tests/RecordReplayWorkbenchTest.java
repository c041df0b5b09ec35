package org.insight.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.internal.ui.DebugUIPlugin;
import org.eclipse.debug.internal.ui.launchConfigurations.LaunchConfigurationsDialog;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsoleConstants;
import org.eclipse.ui.console.TextConsole;
import org.insight.core.InsightCore;
import org.insight.core.launch.LaunchAttributes;
import org.insight.replay.trace.TraceInfo;
import org.insight.ui.views.RecordingRows.Row;
import org.insight.ui.views.RecordingView;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Record and replay from the IDE, in the real workbench: a record launch configuration of the philosophers sample
 * (musl), its launch dialog, the recording made by the engine (through the nested machine where /dev/kvm is missing),
 * the guest's output in the console, a verified replay, and the Recording view's rows; screenshots of each.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class RecordReplayWorkbenchTest {
	/** Under TCG a recording takes minutes, and the first use of the nested machine may bootstrap it. */
	private static final Duration ENGINE_LIMIT = Duration.ofMinutes(25);
	private static ILaunchConfiguration record;
	private static Path trace;

	private static Path philosophers() {
		String guests = System.getProperty("insight.guests", "");
		Path p = Path.of(guests, "musl", "philosophers");
		assertTrue(Files.isExecutable(p), "no sample " + p + " (system property insight.guests: run ./insight build)");
		return p;
	}

	private static void requireEngineMachine() {
		assumeFalse("1".equals(System.getProperty("insight.noKvm")),
				"INSIGHT_NO_KVM=1: recording needs /dev/kvm or the nested machine");
	}

	private static ILaunchConfiguration recordConfiguration() throws Exception {
		if (record == null) {
			Path dir = Path.of(Platform.getInstanceLocation().getURL().toURI()).resolve("recordings");
			Files.createDirectories(dir);
			trace = dir.resolve("philosophers.insight");
			Files.deleteIfExists(trace);
			ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
			ILaunchConfigurationWorkingCopy wc = manager.getLaunchConfigurationType(InsightCore.RECORD_TYPE)
					.newInstance(null, "philosophers (musl)");
			wc.setAttribute(LaunchAttributes.PROGRAM, philosophers().toString());
			wc.setAttribute(LaunchAttributes.TRACE, trace.toString());
			wc.setAttribute(LaunchAttributes.MODE, "syscalls");
			wc.setAttribute(LaunchAttributes.CHAOS_SEED, "5");
			wc.setAttribute(LaunchAttributes.MACHINE, "auto");
			record = wc.doSave();
		}
		return record;
	}

	@Test
	@Order(1)
	public void launchDialogShowsTheRecordTabs() throws Exception {
		ILaunchConfiguration config = recordConfiguration();
		Workbench.shell().setBounds(0, 0, 1280, 900);
		LaunchConfigurationsDialog dialog = new LaunchConfigurationsDialog(Workbench.shell(), DebugUIPlugin
				.getDefault().getLaunchConfigurationManager().getLaunchGroup(IDebugUIConstants.ID_RUN_LAUNCH_GROUP));
		dialog.setOpenMode(LaunchConfigurationsDialog.LAUNCH_CONFIGURATION_DIALOG_OPEN_ON_SELECTION);
		dialog.setInitialSelection(new StructuredSelection(config));
		dialog.setBlockOnOpen(false);
		dialog.open();
		try {
			dialog.getShell().setBounds(40, 40, 1100, 720);
			Workbench.spin(1000);
			String[] names = Arrays.stream(dialog.getTabs()).map(t -> t.getName()).toArray(String[]::new);
			assertEquals(List.of("Main", "Recording", "Environment", "Common"), List.of(names));
			dialog.setActiveTab(0);
			assertTrue(Workbench.screenshot(dialog.getShell(), "launch-dialog-main.png").length() > 1000);
			// the program is a static x86-64 ELF: no error; the /dev/kvm warning names the nested machine
			assertNull(dialog.getTabs()[0].getErrorMessage(), dialog.getTabs()[0].getErrorMessage());
			dialog.setActiveTab(1);
			assertTrue(Workbench.screenshot(dialog.getShell(), "launch-dialog-recording.png").length() > 1000);
			assertNull(dialog.getTabs()[1].getErrorMessage(), dialog.getTabs()[1].getErrorMessage());
		} finally {
			dialog.close();
		}
	}

	@Test
	@Order(2)
	public void recordsTheSampleAndShowsItsOutputInTheConsole() throws Exception {
		requireEngineMachine();
		ILaunch launch = recordConfiguration().launch(ILaunchManager.RUN_MODE, new NullProgressMonitor());
		IProcess process = launch.getProcesses()[0];
		assertTrue(waitForEngine(), "the recording did not end within " + ENGINE_LIMIT);
		String console = consoleText(process, "insight: recorded");
		assertEquals(0, process.getExitValue(), console);
		assertTrue(console.contains("philosopher 0 ate"), console);
		assertTrue(console.contains("insight: recorded"), console);
		TraceInfo info = TraceInfo.read(trace);
		assertTrue(info.complete(), info.render());
		assertTrue(info.statistics().frames() > 0, info.render());
		Workbench.page().showView(IConsoleConstants.ID_CONSOLE_VIEW);
		ConsolePlugin.getDefault().getConsoleManager().showConsoleView(console(process).orElseThrow());
		assertTrue(Workbench.screenshot(Workbench.shell(), "console-record.png").length() > 1000);
	}

	@Test
	@Order(3)
	public void replaysTheRecordingVerifiedAndShowsItInTheRecordingView() throws Exception {
		requireEngineMachine();
		assumeTrue(trace != null && Files.isRegularFile(trace), "no recording from the test before");
		ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
				.getLaunchConfigurationType(InsightCore.REPLAY_TYPE).newInstance(null, "philosophers replay");
		wc.setAttribute(LaunchAttributes.TRACE, trace.toString());
		ILaunch launch = wc.doSave().launch(ILaunchManager.RUN_MODE, new NullProgressMonitor());
		IProcess process = launch.getProcesses()[0];
		assertTrue(waitForEngine(), "the replay did not end within " + ENGINE_LIMIT);
		String console = consoleText(process, "replay verified");
		assertTrue(console.contains("replay verified"), console);
		assertTrue(console.contains("philosopher 0 ate"), console);
		assertEquals(0, process.getExitValue(), console);

		// the UI opens the Recording view after a replay, with the engine's verdict
		assertTrue(Workbench.spinUntil(Duration.ofSeconds(60), () -> recordingView().map(v -> !v.rows().isEmpty())
				.orElse(false)), "the Recording view did not show the recording");
		List<Row> rows = recordingView().orElseThrow().rows();
		assertEquals("complete", value(rows, "State"));
		assertTrue(value(rows, "Last replay").startsWith("replay verified"), value(rows, "Last replay"));
		assertTrue(Long.parseLong(value(rows, "Frames")) > 0, rows.toString());
		assertTrue(value(rows, "Binary").contains("philosophers"), rows.toString());
		assertTrue(Long.parseLong(value(rows, "  sync points")) > 0, rows.toString());
		assertTrue(value(rows, "Trace size").contains("bytes"), rows.toString());
		Workbench.page().showView(RecordingView.ID);
		assertTrue(Workbench.screenshot(Workbench.shell(), "recording-view.png").length() > 1000);
	}

	private static String value(List<Row> rows, String name) {
		return rows.stream().filter(r -> !r.heading() && r.name().equals(name)).findFirst().map(Row::value)
				.orElseThrow(() -> new AssertionError("no row " + name + " in " + rows));
	}

	private static Optional<RecordingView> recordingView() {
		return Optional.ofNullable((RecordingView) Workbench.page().findView(RecordingView.ID));
	}

	/** Runs the event loop until no engine job is left. */
	private static boolean waitForEngine() {
		return Workbench.spinUntil(ENGINE_LIMIT, () -> Job.getJobManager().find(InsightCore.JOB_FAMILY).length == 0);
	}

	private static Optional<TextConsole> console(IProcess process) {
		return Arrays.stream(ConsolePlugin.getDefault().getConsoleManager().getConsoles())
				.filter(c -> c instanceof org.eclipse.debug.ui.console.IConsole d && d.getProcess() == process)
				.map(c -> (TextConsole) c).findFirst();
	}

	/** The console's text once it holds {@code expected} (the console fills in asynchronously), or after 30 s. */
	private static String consoleText(IProcess process, String expected) {
		String[] text = { "" };
		Workbench.spinUntil(Duration.ofSeconds(30), () -> {
			text[0] = console(process).map(c -> c.getDocument().get()).orElse("");
			return text[0].contains(expected);
		});
		assertNotNull(console(process).orElse(null), "no console for " + process.getLabel());
		return text[0];
	}

}
