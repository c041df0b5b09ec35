package org.insight.ui.views;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.jface.layout.TreeColumnLayout;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerColumn;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.part.ViewPart;
import org.eclipse.ui.statushandlers.StatusManager;
import org.insight.core.analysis.DeadlockReport;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.ui.Messages;
import org.insight.ui.views.DeadlockRows.Row;

/**
 * Deadlocks: the latest deadlock analysis as a tree of finding, edge, acquisition stack and frame; filtered cycles
 * greyed, with their reasons. A double-click opens the row's source at its line. It only renders
 * {@link LatestAnalysis}, which the engine jobs publish.
 */
public final class DeadlocksView extends ViewPart {
	public static final String ID = "org.insight.ui.deadlocksView";
	private TreeViewer viewer;
	private volatile List<Row> rows = List.of();
	private final Consumer<DeadlockReport> published = report -> Display.getDefault().asyncExec(() -> show(report));

	@Override
	public void createPartControl(Composite parent) {
		Composite box = new Composite(parent, SWT.NONE);
		TreeColumnLayout layout = new TreeColumnLayout();
		box.setLayout(layout);
		viewer = new TreeViewer(box, SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
		viewer.getTree().setHeaderVisible(true);
		viewer.getTree().setLinesVisible(true);
		viewer.setContentProvider(new RowTreeContent<>(Row.class, Row::children, Row::parent));
		Font bold = JFaceResources.getFontRegistry().getBold(JFaceResources.DEFAULT_FONT);
		column(layout, Messages.Deadlocks_columnFinding, 3, Row::text, bold);
		column(layout, Messages.Deadlocks_columnLocation, 2, Row::location, null);
		viewer.addDoubleClickListener(e -> open((IStructuredSelection) e.getSelection()));
		getSite().setSelectionProvider(viewer);
		LatestAnalysis.addListener(published);
		LatestAnalysis.get().ifPresentOrElse(this::show, () -> {
			setContentDescription(Messages.Deadlocks_empty);
			viewer.setInput(List.of());
		});
	}

	private void column(TreeColumnLayout layout, String title, int weight,
			java.util.function.Function<Row, String> text, Font findingFont) {
		TreeViewerColumn c = new TreeViewerColumn(viewer, SWT.LEFT);
		c.getColumn().setText(title);
		layout.setColumnData(c.getColumn(), new ColumnWeightData(weight, 160));
		c.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return text.apply((Row) element);
			}

			@Override
			public Font getFont(Object element) {
				return ((Row) element).kind() == DeadlockRows.Kind.FINDING ? findingFont : null;
			}

			@Override
			public Color getForeground(Object element) {
				return ((Row) element).greyed() ? Display.getCurrent().getSystemColor(SWT.COLOR_DARK_GRAY) : null;
			}
		});
	}

	/** Shows {@code report} (on the UI thread). */
	void show(DeadlockReport report) {
		if (viewer == null || viewer.getControl().isDisposed()) {
			return;
		}
		rows = DeadlockRows.of(report);
		setContentDescription(NLS.bind(report.actual().isEmpty() ? Messages.Deadlocks_summary
				: Messages.Deadlocks_summaryActual, new Object[] { report.findings().size(),
				report.filtered().size(), report.recording().getFileName(), report.replay(), report.actual().size() }));
		viewer.setInput(rows);
		// the potential deadlocks open to their edges; the filtered cycles stay closed
		for (Row r : rows) {
			if (r.kind() == DeadlockRows.Kind.FINDING) {
				viewer.expandToLevel(r, 1);
			}
		}
	}

	private void open(IStructuredSelection selection) {
		if (selection.getFirstElement() instanceof Row row && !row.sources().isEmpty()) {
			try {
				SourceEditors.open(getSite().getPage(), row.sources());
			} catch (PartInitException e) {
				StatusManager.getManager().handle(e.getStatus(), StatusManager.SHOW | StatusManager.LOG);
			}
		}
	}

	/** The top rows shown (for tests and copying). */
	public List<Row> rows() {
		return rows;
	}

	/** The tree (for tests: select and double-click a row). */
	public TreeViewer viewer() {
		return viewer;
	}

	/** Opens the view (on the UI thread); it shows the latest analysis. */
	public static void showView() {
		Display.getDefault().asyncExec(() -> {
			var window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
			if (window == null && PlatformUI.getWorkbench().getWorkbenchWindowCount() > 0) {
				window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
			}
			if (window == null || window.getActivePage() == null) {
				return;
			}
			try {
				window.getActivePage().showView(ID, null, IWorkbenchPage.VIEW_VISIBLE);
			} catch (PartInitException e) {
				StatusManager.getManager().handle(e.getStatus(), StatusManager.LOG);
			}
		});
	}

	@Override
	public void setFocus() {
		viewer.getControl().setFocus();
	}

	@Override
	public void dispose() {
		LatestAnalysis.removeListener(published);
		super.dispose();
	}
}
