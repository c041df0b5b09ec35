package org.insight.ui.preferences;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.jface.layout.TableColumnLayout;
import org.eclipse.jface.preference.PreferencePage;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;
import org.eclipse.ui.statushandlers.StatusManager;
import org.eclipse.core.runtime.Status;
import org.insight.core.analysis.PathMappings;
import org.insight.core.analysis.PathMappings.Mapping;
import org.insight.ui.Messages;
import org.osgi.service.prefs.BackingStoreException;

/**
 * InSight &gt; Source Lookup: the table of path mappings (build path prefix → local path prefix) the source lookup
 * applies to the debug information's paths ({@link PathMappings}), with Add, Edit and Remove.
 */
public final class SourceMappingPreferencePage extends PreferencePage implements IWorkbenchPreferencePage {
	public static final String ID = "org.insight.ui.sourceLookupPreferences";
	private final List<Mapping> mappings = new ArrayList<>();
	private TableViewer table;

	@Override
	public void init(IWorkbench workbench) {
		setDescription(Messages.Mapping_description);
		mappings.addAll(PathMappings.get());
	}

	@Override
	protected Control createContents(Composite parent) {
		Composite c = new Composite(parent, SWT.NONE);
		c.setLayout(new GridLayout(2, false));
		Composite box = new Composite(c, SWT.NONE);
		box.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
		TableColumnLayout layout = new TableColumnLayout();
		box.setLayout(layout);
		table = new TableViewer(box, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
		table.getTable().setHeaderVisible(true);
		table.getTable().setLinesVisible(true);
		table.setContentProvider(ArrayContentProvider.getInstance());
		column(layout, Messages.Mapping_build, true);
		column(layout, Messages.Mapping_local, false);
		table.setInput(mappings);
		table.addDoubleClickListener(e -> edit());
		Composite buttons = new Composite(c, SWT.NONE);
		buttons.setLayoutData(new GridData(SWT.FILL, SWT.BEGINNING, false, false));
		buttons.setLayout(new GridLayout(1, true));
		button(buttons, Messages.Mapping_add, () -> {
			PathMappingDialog d = new PathMappingDialog(getShell(), null);
			if (d.open() == PathMappingDialog.OK) {
				mappings.add(d.mapping());
				table.refresh();
			}
		});
		button(buttons, Messages.Mapping_edit, this::edit);
		button(buttons, Messages.Mapping_remove, () -> {
			if (selected() != null) {
				mappings.remove(selected());
				table.refresh();
			}
		});
		return c;
	}

	private void column(TableColumnLayout layout, String title, boolean build) {
		TableViewerColumn col = new TableViewerColumn(table, SWT.LEFT);
		col.getColumn().setText(title);
		layout.setColumnData(col.getColumn(), new ColumnWeightData(1, 150));
		col.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return build ? ((Mapping) element).build() : ((Mapping) element).local();
			}
		});
	}

	private void button(Composite parent, String label, Runnable action) {
		Button b = new Button(parent, SWT.PUSH);
		b.setText(label);
		b.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
		b.addListener(SWT.Selection, e -> action.run());
	}

	private Mapping selected() {
		return ((IStructuredSelection) table.getSelection()).getFirstElement() instanceof Mapping m ? m : null;
	}

	private void edit() {
		Mapping m = selected();
		if (m == null) {
			return;
		}
		PathMappingDialog d = new PathMappingDialog(getShell(), m);
		if (d.open() == PathMappingDialog.OK) {
			mappings.set(mappings.indexOf(m), d.mapping());
			table.refresh();
		}
	}

	/** The mappings shown (for tests). */
	public List<Mapping> mappings() {
		return List.copyOf(mappings);
	}

	@Override
	protected void performDefaults() {
		mappings.clear();
		table.refresh();
		super.performDefaults();
	}

	@Override
	public boolean performOk() {
		try {
			PathMappings.set(mappings);
			return true;
		} catch (BackingStoreException e) {
			StatusManager.getManager().handle(Status.error(org.eclipse.osgi.util.NLS.bind(Messages.Mapping_cannotSave, e.getMessage()), e),
					StatusManager.SHOW | StatusManager.LOG);
			return false;
		}
	}
}
