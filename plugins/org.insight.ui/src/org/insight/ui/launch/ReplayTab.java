package org.insight.ui.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Text;
import org.insight.core.Machine;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.Messages;

/** Replay: the recording, the machine and the analyses to run after the replay. */
public final class ReplayTab extends InsightTab {
	private Text trace;
	private Combo machine;
	private Button deadlocks;
	private Button locks;
	private Button functions;

	@Override
	public String getName() {
		return Messages.Replay_name;
	}

	@Override
	public String getId() {
		return "org.insight.ui.replayTab";
	}

	@Override
	public void createControl(Composite parent) {
		Composite g = grid(parent);
		trace = textRow(g, Messages.Replay_trace, Browse.FILE);
		machine = comboRow(g, Messages.Recording_machine, Messages.Recording_machineDefault,
				Messages.Recording_machineAuto, Messages.Recording_machineKvm, Messages.Recording_machineNested);
		deadlocks = checkRow(g, Messages.Replay_deadlocks);
		locks = checkRow(g, Messages.Replay_locks);
		functions = checkRow(g, Messages.Replay_functions);
	}

	@Override
	public void setDefaults(ILaunchConfigurationWorkingCopy config) {
		config.setAttribute(LaunchAttributes.ANALYSES, LaunchAttributes.DEFAULT_ANALYSES);
	}

	@Override
	public void initializeFrom(ILaunchConfiguration config) {
		trace.setText(get(config, LaunchAttributes.TRACE));
		machine.select(Machine.ofOption(get(config, LaunchAttributes.MACHINE)).map(k -> k.ordinal() + 1).orElse(0));
		List<String> analyses = List.of(get(config, LaunchAttributes.ANALYSES).split("\\s*,\\s*"));
		deadlocks.setSelection(analyses.contains(LaunchAttributes.DEADLOCKS));
		locks.setSelection(analyses.contains(LaunchAttributes.LOCKS));
		functions.setSelection(analyses.contains(LaunchAttributes.FUNCTIONS));
	}

	@Override
	public void performApply(ILaunchConfigurationWorkingCopy config) {
		set(config, LaunchAttributes.TRACE, trace.getText());
		int i = machine.getSelectionIndex();
		set(config, LaunchAttributes.MACHINE, i <= 0 ? "" : Machine.values()[i - 1].option());
		List<String> analyses = new ArrayList<>();
		if (deadlocks.getSelection()) {
			analyses.add(LaunchAttributes.DEADLOCKS);
		}
		if (locks.getSelection()) {
			analyses.add(LaunchAttributes.LOCKS);
		}
		if (functions.getSelection()) {
			analyses.add(LaunchAttributes.FUNCTIONS);
		}
		set(config, LaunchAttributes.ANALYSES, String.join(",", analyses));
	}

	@Override
	public boolean isValid(ILaunchConfiguration config) {
		setErrorMessage(null);
		setWarningMessage(null);
		String t = get(config, LaunchAttributes.TRACE);
		if (t.isBlank() || !t.contains("${") && !Files.isRegularFile(Path.of(t))) {
			setErrorMessage(Messages.Replay_noTrace);
			return false;
		}
		setWarningMessage(kvmWarning(RecordingTab.machine(config)));
		return true;
	}
}
