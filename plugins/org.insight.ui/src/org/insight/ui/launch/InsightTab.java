package org.insight.ui.launch;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.insight.core.Machine;
import org.insight.ui.Messages;

/** What the InSight tabs share: rows of label, field and browse button, and the /dev/kvm warning. */
abstract class InsightTab extends AbstractLaunchConfigurationTab {
	enum Browse {
		NONE, FILE, SAVE_FILE, FOLDER
	}

	/** A grid of three columns: label, field, button. */
	Composite grid(Composite parent) {
		Composite c = new Composite(parent, SWT.NONE);
		c.setLayout(new GridLayout(3, false));
		setControl(c);
		return c;
	}

	Text textRow(Composite grid, String label, Browse browse) {
		new Label(grid, SWT.NONE).setText(label);
		Text text = new Text(grid, SWT.SINGLE | SWT.BORDER);
		text.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, browse == Browse.NONE ? 2 : 1, 1));
		text.addModifyListener(e -> updateLaunchConfigurationDialog());
		if (browse != Browse.NONE) {
			Button b = createPushButton(grid, Messages.Tab_browse, null);
			b.addListener(SWT.Selection, e -> {
				String chosen;
				if (browse == Browse.FOLDER) {
					DirectoryDialog d = new DirectoryDialog(getShell());
					d.setFilterPath(text.getText());
					chosen = d.open();
				} else {
					FileDialog d = new FileDialog(getShell(), browse == Browse.SAVE_FILE ? SWT.SAVE : SWT.OPEN);
					d.setFileName(text.getText());
					chosen = d.open();
				}
				if (chosen != null) {
					text.setText(chosen);
				}
			});
		}
		return text;
	}

	Combo comboRow(Composite grid, String label, String... items) {
		new Label(grid, SWT.NONE).setText(label);
		Combo combo = new Combo(grid, SWT.READ_ONLY);
		combo.setItems(items);
		combo.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false, 2, 1));
		combo.addModifyListener(e -> updateLaunchConfigurationDialog());
		return combo;
	}

	/** A check box on the field's columns. */
	Button checkRow(Composite grid, String label) {
		new Label(grid, SWT.NONE);
		Button b = new Button(grid, SWT.CHECK);
		b.setText(label);
		b.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false, 2, 1));
		b.addListener(SWT.Selection, e -> updateLaunchConfigurationDialog());
		return b;
	}

	static String get(ILaunchConfiguration config, String attribute) {
		try {
			return config.getAttribute(attribute, "");
		} catch (CoreException e) {
			return "";
		}
	}

	static void set(ILaunchConfigurationWorkingCopy config, String attribute, String value) {
		config.setAttribute(attribute, value.isBlank() ? null : value.strip());
	}

	/**
	 * The warning for a machine without a usable /dev/kvm: the engine then runs in the nested machine (auto, nested),
	 * or cannot run at all (kvm). Null when /dev/kvm is usable or the nested machine was asked for.
	 */
	static String kvmWarning(Machine machine) {
		String missing = Machine.kvmMissingReason();
		if (missing == null || machine == Machine.NESTED) {
			return null;
		}
		return org.eclipse.osgi.util.NLS.bind(
				machine == Machine.KVM ? Messages.Tab_kvmMissingKvm : Messages.Tab_kvmMissingAuto, missing);
	}
}
