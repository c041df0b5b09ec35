package org.insight.ui.preferences;

import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.RadioGroupFieldEditor;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;
import org.eclipse.ui.preferences.ScopedPreferenceStore;
import org.insight.core.InsightCore;
import org.insight.core.Machine;
import org.insight.ui.Messages;

/** InSight: the machine a launch uses when its configuration does not choose one (core's preference). */
public final class MachinePreferencePage extends FieldEditorPreferencePage implements IWorkbenchPreferencePage {
	public MachinePreferencePage() {
		super(GRID);
		setPreferenceStore(new ScopedPreferenceStore(InstanceScope.INSTANCE, InsightCore.PLUGIN_ID));
		getPreferenceStore().setDefault(Machine.PREFERENCE, Machine.AUTO.option());
		setDescription(Messages.Preferences_description);
	}

	@Override
	protected void createFieldEditors() {
		addField(new RadioGroupFieldEditor(Machine.PREFERENCE, Messages.Preferences_machine, 1,
				new String[][] { { Messages.Recording_machineAuto, Machine.AUTO.option() },
						{ Messages.Recording_machineKvm, Machine.KVM.option() },
						{ Messages.Recording_machineNested, Machine.NESTED.option() } },
				getFieldEditorParent(), true));
	}

	@Override
	public void init(IWorkbench workbench) {
	}
}
