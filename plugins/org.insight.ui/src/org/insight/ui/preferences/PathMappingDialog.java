package org.insight.ui.preferences;

import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.insight.core.analysis.PathMappings.Mapping;
import org.insight.ui.Messages;

/** One path mapping: the build path prefix and the local folder it is read from (with a folder browser). */
final class PathMappingDialog extends Dialog {
	private final Mapping initial;
	private Text build;
	private Text local;
	private Mapping result;

	PathMappingDialog(Shell parent, Mapping initial) {
		super(parent);
		this.initial = initial;
	}

	@Override
	protected void configureShell(Shell shell) {
		super.configureShell(shell);
		shell.setText(Messages.Mapping_dialogTitle);
	}

	@Override
	protected Control createDialogArea(Composite parent) {
		Composite c = (Composite) super.createDialogArea(parent);
		c.setLayout(new GridLayout(3, false));
		build = row(c, Messages.Mapping_build, initial == null ? "" : initial.build(), false);
		local = row(c, Messages.Mapping_local, initial == null ? "" : initial.local(), true);
		return c;
	}

	private Text row(Composite c, String label, String value, boolean browse) {
		new Label(c, SWT.NONE).setText(label);
		Text t = new Text(c, SWT.SINGLE | SWT.BORDER);
		GridData d = new GridData(SWT.FILL, SWT.CENTER, true, false, browse ? 1 : 2, 1);
		d.widthHint = 360;
		t.setLayoutData(d);
		t.setText(value);
		t.addModifyListener(e -> validate());
		if (browse) {
			Button b = new Button(c, SWT.PUSH);
			b.setText(Messages.Mapping_browse);
			b.addListener(SWT.Selection, e -> {
				DirectoryDialog dd = new DirectoryDialog(getShell());
				dd.setFilterPath(t.getText());
				String chosen = dd.open();
				if (chosen != null) {
					t.setText(chosen);
				}
			});
		}
		return t;
	}

	@Override
	protected void createButtonsForButtonBar(Composite parent) {
		super.createButtonsForButtonBar(parent);
		validate();
	}

	private void validate() {
		var ok = getButton(IDialogConstants.OK_ID);
		if (ok != null && build != null && local != null) {
			ok.setEnabled(build.getText().strip().startsWith("/") && !local.getText().isBlank());
		}
	}

	@Override
	protected void okPressed() {
		result = new Mapping(build.getText(), local.getText());
		super.okPressed();
	}

	Mapping mapping() {
		return result;
	}
}
