package org.insight.ui.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Text;
import org.insight.core.Machine;
import org.insight.core.analysis.AnalyzerDescriptor;
import org.insight.core.analysis.AnalyzerRegistry;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.Messages;

/**
 * Replay: the recording, the machine and the analyses to run after the replay: a check box per analyzer of the
 * registry (extension point {@code org.insight.core.analyzers}: the built-ins, then the contributed ones).
 */
public final class ReplayTab extends InsightTab {
	private Text trace;
	private Combo machine;
	/** By analyzer id, in the registry's order. */
	private final Map<String, Button> analyzers = new LinkedHashMap<>();

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
		for (AnalyzerDescriptor d : AnalyzerRegistry.all()) {
			Button b = checkRow(g, d.name());
			b.setData(d.id());
			analyzers.put(d.id(), b);
		}
	}

	@Override
	public void setDefaults(ILaunchConfigurationWorkingCopy config) {
		config.setAttribute(LaunchAttributes.ANALYSES, String.join(",", AnalyzerRegistry.defaults()));
	}

	@Override
	public void initializeFrom(ILaunchConfiguration config) {
		trace.setText(get(config, LaunchAttributes.TRACE));
		machine.select(Machine.ofOption(get(config, LaunchAttributes.MACHINE)).map(k -> k.ordinal() + 1).orElse(0));
		List<String> analyses = AnalyzerRegistry.split(get(config, LaunchAttributes.ANALYSES));
		analyzers.forEach((id, b) -> b.setSelection(analyses.contains(id)));
	}

	@Override
	public void performApply(ILaunchConfigurationWorkingCopy config) {
		set(config, LaunchAttributes.TRACE, trace.getText());
		int i = machine.getSelectionIndex();
		set(config, LaunchAttributes.MACHINE, i <= 0 ? "" : Machine.values()[i - 1].option());
		List<String> analyses = new ArrayList<>();
		analyzers.forEach((id, b) -> {
			if (b.getSelection()) {
				analyses.add(id);
			}
		});
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
