package org.insight.ui.launch;

import java.nio.file.Path;

import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.insight.core.ElfCheck;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.Messages;

/** Main: the program, its arguments, the working directory and the stdin file. */
public final class RecordMainTab extends InsightTab {
	private Text program;
	private Text arguments;
	private Text workingDirectory;
	private Text stdin;

	@Override
	public String getName() {
		return Messages.Main_name;
	}

	@Override
	public String getId() {
		return "org.insight.ui.recordMainTab";
	}

	@Override
	public void createControl(Composite parent) {
		Composite g = grid(parent);
		program = textRow(g, Messages.Main_program, Browse.FILE);
		new Label(g, SWT.NONE).setText(Messages.Main_arguments);
		arguments = new Text(g, SWT.MULTI | SWT.WRAP | SWT.BORDER | SWT.V_SCROLL);
		GridData gd = new GridData(SWT.FILL, SWT.FILL, true, false, 2, 1);
		gd.heightHint = 60;
		arguments.setLayoutData(gd);
		arguments.addModifyListener(e -> updateLaunchConfigurationDialog());
		workingDirectory = textRow(g, Messages.Main_workingDirectory, Browse.FOLDER);
		stdin = textRow(g, Messages.Main_stdin, Browse.FILE);
		Label hint = new Label(g, SWT.WRAP);
		hint.setText(Messages.Main_hint);
		GridData hintData = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
		hintData.widthHint = 300; // wrap to the tab's width instead of widening it
		hint.setLayoutData(hintData);
	}

	@Override
	public void setDefaults(ILaunchConfigurationWorkingCopy config) {
		// the shortcut fills in the program; nothing else has a default of its own
	}

	@Override
	public void initializeFrom(ILaunchConfiguration config) {
		program.setText(get(config, LaunchAttributes.PROGRAM));
		arguments.setText(get(config, LaunchAttributes.ARGUMENTS));
		workingDirectory.setText(get(config, LaunchAttributes.WORKING_DIRECTORY));
		stdin.setText(get(config, LaunchAttributes.STDIN));
	}

	@Override
	public void performApply(ILaunchConfigurationWorkingCopy config) {
		set(config, LaunchAttributes.PROGRAM, program.getText());
		set(config, LaunchAttributes.ARGUMENTS, arguments.getText());
		set(config, LaunchAttributes.WORKING_DIRECTORY, workingDirectory.getText());
		set(config, LaunchAttributes.STDIN, stdin.getText());
	}

	@Override
	public boolean isValid(ILaunchConfiguration config) {
		setErrorMessage(null);
		setWarningMessage(null);
		String error = programError(get(config, LaunchAttributes.PROGRAM));
		if (error != null) {
			setErrorMessage(error);
			return false;
		}
		setWarningMessage(kvmWarning(RecordingTab.machine(config)));
		return true;
	}

	/** Why this program cannot be recorded, or null. */
	static String programError(String program) {
		if (program.isBlank()) {
			return Messages.Main_noProgram;
		}
		if (program.contains("${")) {
			return null; // a variable: the engine checks it at launch
		}
		return switch (ElfCheck.check(Path.of(program.strip()))) {
		case OK, DYNAMIC -> null; // the engine provides a dynamic program's interpreter and libraries
		case MISSING -> Messages.Main_missing;
		case NOT_ELF -> Messages.Main_notElf;
		case NOT_X86_64 -> Messages.Main_notX86;
		case NOT_EXECUTABLE -> Messages.Main_notExecutable;
		case NO_INTERPRETER -> Messages.Main_noInterpreter;
		};
	}
}
