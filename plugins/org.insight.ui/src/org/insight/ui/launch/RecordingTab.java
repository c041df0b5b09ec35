package org.insight.ui.launch;

import java.util.Arrays;

import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.insight.core.Machine;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.Messages;

/** Recording: the trace file, sync mode, chaos seed, time slice, memory, time limit and the machine. */
public final class RecordingTab extends InsightTab {
	private static final String[] MODES = { "syscalls", "locks" };
	private Text output;
	private Combo mode;
	private Text chaos;
	private Text timeSlice;
	private Text memory;
	private Text timeLimit;
	private Combo machine;
	private Button analyze;

	@Override
	public String getName() {
		return Messages.Recording_name;
	}

	@Override
	public String getId() {
		return "org.insight.ui.recordingTab";
	}

	@Override
	public void createControl(Composite parent) {
		Composite g = grid(parent);
		output = textRow(g, Messages.Recording_output, Browse.SAVE_FILE);
		mode = comboRow(g, Messages.Recording_mode, MODES);
		chaos = textRow(g, Messages.Recording_chaos, Browse.NONE);
		timeSlice = textRow(g, Messages.Recording_timeSlice, Browse.NONE);
		memory = textRow(g, Messages.Recording_memory, Browse.NONE);
		timeLimit = textRow(g, Messages.Recording_timeLimit, Browse.NONE);
		machine = comboRow(g, Messages.Recording_machine, Messages.Recording_machineDefault,
				Messages.Recording_machineAuto, Messages.Recording_machineKvm, Messages.Recording_machineNested);
		analyze = checkRow(g, Messages.Recording_analyze);
		Label hint = new Label(g, SWT.WRAP);
		hint.setText(Messages.Recording_hint);
		GridData hintData = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
		hintData.widthHint = 300; // wrap to the tab's width instead of widening it
		hint.setLayoutData(hintData);
	}

	@Override
	public void setDefaults(ILaunchConfigurationWorkingCopy config) {
		config.setAttribute(LaunchAttributes.MODE, "syscalls");
	}

	@Override
	public void initializeFrom(ILaunchConfiguration config) {
		output.setText(get(config, LaunchAttributes.TRACE));
		int m = Arrays.asList(MODES).indexOf(get(config, LaunchAttributes.MODE));
		mode.select(Math.max(m, 0));
		chaos.setText(get(config, LaunchAttributes.CHAOS_SEED));
		timeSlice.setText(get(config, LaunchAttributes.TIME_SLICE));
		memory.setText(get(config, LaunchAttributes.MEMORY));
		timeLimit.setText(get(config, LaunchAttributes.TIME_LIMIT));
		machine.select(Machine.ofOption(get(config, LaunchAttributes.MACHINE)).map(k -> k.ordinal() + 1).orElse(0));
		try {
			analyze.setSelection(config.getAttribute(LaunchAttributes.ANALYZE, false));
		} catch (org.eclipse.core.runtime.CoreException e) {
			analyze.setSelection(false);
		}
	}

	@Override
	public void performApply(ILaunchConfigurationWorkingCopy config) {
		set(config, LaunchAttributes.TRACE, output.getText());
		set(config, LaunchAttributes.MODE, MODES[Math.max(mode.getSelectionIndex(), 0)]);
		set(config, LaunchAttributes.CHAOS_SEED, chaos.getText());
		set(config, LaunchAttributes.TIME_SLICE, timeSlice.getText());
		set(config, LaunchAttributes.MEMORY, memory.getText());
		set(config, LaunchAttributes.TIME_LIMIT, timeLimit.getText());
		int i = machine.getSelectionIndex();
		set(config, LaunchAttributes.MACHINE, i <= 0 ? "" : Machine.values()[i - 1].option());
		config.setAttribute(LaunchAttributes.ANALYZE, analyze.getSelection());
	}

	@Override
	public boolean isValid(ILaunchConfiguration config) {
		setErrorMessage(null);
		setWarningMessage(null);
		String error = error(config);
		if (error != null) {
			setErrorMessage(error);
			return false;
		}
		setWarningMessage(kvmWarning(machine(config)));
		return true;
	}

	private static String error(ILaunchConfiguration config) {
		if (get(config, LaunchAttributes.TRACE).isBlank()) {
			return Messages.Recording_noOutput;
		}
		if (!isNumber(get(config, LaunchAttributes.CHAOS_SEED), false)) {
			return Messages.Recording_badChaos;
		}
		if (!isNumber(get(config, LaunchAttributes.TIME_SLICE), false)) {
			return Messages.Recording_badTimeSlice;
		}
		String mem = get(config, LaunchAttributes.MEMORY);
		if (!mem.isEmpty() && !mem.matches("\\d+[kKmMgG]?")) {
			return Messages.Recording_badMemory;
		}
		if (!isNumber(get(config, LaunchAttributes.TIME_LIMIT), true)) {
			return Messages.Recording_badTimeLimit;
		}
		return null;
	}

	private static boolean isNumber(String s, boolean decimal) {
		return s.isEmpty() || s.matches(decimal ? "\\d+(\\.\\d+)?" : "\\d+");
	}

	/** The machine a configuration runs on: its own choice, else the workspace default. */
	static Machine machine(ILaunchConfiguration config) {
		return Machine.ofOption(get(config, LaunchAttributes.MACHINE)).orElse(Machine.workspaceDefault());
	}
}
