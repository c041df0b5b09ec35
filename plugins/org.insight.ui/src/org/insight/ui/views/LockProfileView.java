package org.insight.ui.views;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.jface.layout.TreeColumnLayout;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnViewerToolTipSupport;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerColumn;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.TreeColumn;
import org.eclipse.ui.part.ViewPart;
import org.insight.core.analysis.AnalysisReport;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.core.analysis.LockProfileReport;
import org.insight.ui.Messages;
import org.insight.ui.views.LockRows.Column;
import org.insight.ui.views.LockRows.Row;

/**
 * Lock Profile: the latest analysis's lock profile, a row per lock, expandable to its acquisition sites; a click on a
 * column's header sorts by it (acquisitions, contention, wait and hold times, held at exit), a double-click on a site
 * opens its source at the line. It only renders {@link LatestAnalysis}, which the engine jobs publish.
 */
public final class LockProfileView extends ViewPart {
	public static final String ID = "org.insight.ui.lockProfileView";
	private TreeViewer viewer;
	private ColumnSort sort;
	private volatile List<Row> rows = List.of();
	private final Consumer<AnalysisReport> published = report -> Display.getDefault().asyncExec(() -> show(report));

	@Override
	public void createPartControl(Composite parent) {
		Composite box = new Composite(parent, SWT.NONE);
		TreeColumnLayout layout = new TreeColumnLayout();
		box.setLayout(layout);
		viewer = new TreeViewer(box, SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
		viewer.getTree().setHeaderVisible(true);
		viewer.getTree().setLinesVisible(true);
		viewer.setContentProvider(new RowTreeContent<>(Row.class, Row::children, Row::parent));
		ColumnViewerToolTipSupport.enableFor(viewer);
		sort = new ColumnSort(viewer);
		Font bold = JFaceResources.getFontRegistry().getBold(JFaceResources.DEFAULT_FONT);
		column(layout, Messages.Locks_columnLock, 20, 200, SWT.LEFT, Row::text, bold);
		column(layout, Messages.Locks_columnLocation, 14, 140, SWT.LEFT, Row::location, null);
		for (Column c : Column.values()) {
			TreeColumn tc = column(layout, c.title(), 7, 72, SWT.RIGHT, c::text, null);
			tc.setToolTipText(c.title());
			tc.setData(c);
			sort.sortable(tc, o -> c.of((Row) o));
		}
		viewer.addDoubleClickListener(e -> {
			if (Views.first(e.getSelection()) instanceof Row row) {
				Views.open(getSite().getPage(), row.sources());
			}
		});
		getSite().setSelectionProvider(viewer);
		LatestAnalysis.addReportListener(published);
		LatestAnalysis.report().ifPresentOrElse(this::show, () -> {
			setContentDescription(Messages.Locks_empty);
			viewer.setInput(List.of());
		});
	}

	private TreeColumn column(TreeColumnLayout layout, String title, int weight, int minimum, int align,
			java.util.function.Function<Row, String> text, Font lockFont) {
		TreeViewerColumn c = new TreeViewerColumn(viewer, align);
		c.getColumn().setText(title);
		c.getColumn().setMoveable(true);
		layout.setColumnData(c.getColumn(), new ColumnWeightData(weight, minimum));
		c.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return text.apply((Row) element);
			}

			@Override
			public String getToolTipText(Object element) {
				String full = ((Row) element).fullLocation();
				return full.isEmpty() ? null : full;
			}

			@Override
			public Font getFont(Object element) {
				return ((Row) element).isLock() ? lockFont : null;
			}
		});
		return c.getColumn();
	}

	/** Shows the lock profile of {@code report} (on the UI thread); a report without one says so. */
	void show(AnalysisReport report) {
		if (viewer == null || viewer.getControl().isDisposed()) {
			return;
		}
		String recording = String.valueOf(report.deadlocks().recording().getFileName());
		if (report.locks().isEmpty()) {
			rows = List.of();
			viewer.setInput(rows);
			setContentDescription(NLS.bind(Messages.Locks_notRun, recording));
			return;
		}
		LockProfileReport p = report.locks().get();
		rows = LockRows.of(p);
		setContentDescription(NLS.bind(Messages.Locks_summary, new Object[] { p.locks().size(), p.all(),
				p.total().acquisitions(), p.total().contended(), recording }));
		viewer.setInput(rows);
	}

	/** Sorts by {@code column}, as a click on its header does (a second call reverses the order). */
	public void sortBy(Column column) {
		for (TreeColumn tc : viewer.getTree().getColumns()) {
			if (tc.getData() == column) {
				tc.notifyListeners(SWT.Selection, null);
			}
		}
	}

	/** The lock rows, unsorted (for tests). */
	public List<Row> rows() {
		return rows;
	}

	/** The tree (for tests: its items in the order shown). */
	public TreeViewer viewer() {
		return viewer;
	}

	@Override
	public void setFocus() {
		viewer.getControl().setFocus();
	}

	@Override
	public void dispose() {
		LatestAnalysis.removeReportListener(published);
		super.dispose();
	}
}
