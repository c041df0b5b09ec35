package org.insight.ui.views;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

import org.eclipse.jface.layout.TableColumnLayout;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnViewerToolTipSupport;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.ui.part.ViewPart;
import org.insight.core.analysis.AnalysisReport;
import org.insight.core.analysis.CallTree;
import org.insight.core.analysis.CallTree.Node;
import org.insight.core.analysis.FunctionProfileReport;
import org.insight.core.analysis.FunctionProfileReport.Function;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.ui.Messages;

/**
 * Function Profile: the latest analysis's exact function profile as a sortable table of functions (calls, self and
 * inclusive time), a call tree (caller to callee, from the call paths) and a flame graph ({@link FlameGraph}: hover
 * details, click to focus, Reset or a click on an ancestor to go back). A double-click on a function opens its source
 * at its line. It only renders {@link LatestAnalysis}, which the engine jobs publish.
 */
public final class FunctionProfileView extends ViewPart {
	public static final String ID = "org.insight.ui.functionProfileView";

	/** The sortable columns of the functions table. */
	public enum Column {
		CALLS(Function::calls), SELF(Function::selfNanos), INCLUSIVE(Function::inclusiveNanos);

		private final ToLongFunction<Function> value;

		Column(ToLongFunction<Function> value) {
			this.value = value;
		}
	}

	private CTabFolder tabs;
	private TableViewer table;
	private ColumnSort sort;
	private TreeViewer tree;
	private FlameGraph flame;
	private Label flameInfo;
	private volatile FunctionProfileReport profile;
	private volatile Node callTree;
	private final Consumer<AnalysisReport> published = report -> Display.getDefault().asyncExec(() -> show(report));

	@Override
	public void createPartControl(Composite parent) {
		SashForm sash = new SashForm(parent, SWT.VERTICAL);
		tabs = new CTabFolder(sash, SWT.BORDER | SWT.BOTTOM);
		CTabItem functionsTab = new CTabItem(tabs, SWT.NONE);
		functionsTab.setText(Messages.Functions_tabFunctions);
		functionsTab.setControl(functionsTable(tabs));
		CTabItem treeTab = new CTabItem(tabs, SWT.NONE);
		treeTab.setText(Messages.Functions_tabCallTree);
		tree = CallTreeViewer.create(tabs, () -> callTree, n -> {
			if (profile != null) {
				profile.function(n.function()).ifPresent(f -> Views.open(getSite().getPage(), List.of(f.frame())));
			}
		});
		treeTab.setControl(tree.getControl().getParent());
		tabs.setSelection(0);
		flamePane(sash);
		sash.setWeights(45, 55);
		LatestAnalysis.addReportListener(published);
		LatestAnalysis.report().ifPresentOrElse(this::show, () -> setContentDescription(Messages.Functions_empty));
	}

	private Composite functionsTable(Composite parent) {
		Composite box = new Composite(parent, SWT.NONE);
		TableColumnLayout layout = new TableColumnLayout();
		box.setLayout(layout);
		table = new TableViewer(box, SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
		table.getTable().setHeaderVisible(true);
		table.getTable().setLinesVisible(true);
		table.setContentProvider(ArrayContentProvider.getInstance());
		ColumnViewerToolTipSupport.enableFor(table);
		sort = new ColumnSort(table);
		tableColumn(layout, Messages.Functions_columnFunction, 25, SWT.LEFT, Function::name, null);
		tableColumn(layout, Messages.Functions_columnLocation, 25, SWT.LEFT, f -> frameText(f), null);
		tableColumn(layout, Messages.Functions_columnCalls, 10, SWT.RIGHT, f -> Long.toString(f.calls()),
				Column.CALLS);
		tableColumn(layout, Messages.Functions_columnSelf, 10, SWT.RIGHT, f -> Nanos.format(f.selfNanos()),
				Column.SELF);
		tableColumn(layout, Messages.Functions_columnSelfShare, 8, SWT.RIGHT, f -> Nanos.share(f.selfNanos(),
				profile.totalNanos()), null);
		tableColumn(layout, Messages.Functions_columnInclusive, 10, SWT.RIGHT, f -> Nanos.format(f
				.inclusiveNanos()), Column.INCLUSIVE);
		tableColumn(layout, Messages.Functions_columnInclusiveShare, 8, SWT.RIGHT, f -> Nanos.share(f
				.inclusiveNanos(), profile.totalNanos()), null);
		table.addDoubleClickListener(e -> {
			if (Views.first(e.getSelection()) instanceof Function f) {
				Views.open(getSite().getPage(), List.of(f.frame()));
			}
		});
		return box;
	}

	private static String frameText(Function f) {
		return Views.shortLocation(f.frame());
	}

	private void tableColumn(TableColumnLayout layout, String title, int weight, int align,
			java.util.function.Function<Function, String> text, Column sortKey) {
		TableViewerColumn c = new TableViewerColumn(table, align);
		c.getColumn().setText(title);
		layout.setColumnData(c.getColumn(), new ColumnWeightData(weight, Views.titleWidth(table.getTable(), title)));
		c.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return text.apply((Function) element);
			}

			@Override
			public String getToolTipText(Object element) {
				String full = ((Function) element).frame().fileLine();
				return full.isEmpty() ? null : full;
			}
		});
		if (sortKey != null) {
			c.getColumn().setData(sortKey);
			sort.sortable(c.getColumn(), o -> sortKey.value.applyAsLong((Function) o));
		}
	}

	private void flamePane(Composite parent) {
		Composite pane = new Composite(parent, SWT.NONE);
		GridLayout grid = new GridLayout(2, false);
		grid.marginWidth = 0;
		grid.marginHeight = 2;
		pane.setLayout(grid);
		flameInfo = new Label(pane, SWT.NONE);
		flameInfo.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
		Button reset = new Button(pane, SWT.PUSH);
		reset.setText(Messages.Flame_reset);
		reset.setToolTipText(Messages.Flame_resetTip);
		reset.addListener(SWT.Selection, e -> flame.reset());
		flame = new FlameGraph(pane);
		flame.canvas().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
		flame.onHover(text -> flameInfo.setText(text.isEmpty() ? focusText() : text));
		flame.onFocus(n -> flameInfo.setText(focusText()));
	}

	private String focusText() {
		Node f = flame.focus();
		return f == null ? "" : f.isRoot() ? Messages.Flame_hint : NLS.bind(Messages.Flame_focused, flame.details(f));
	}

	/** Shows the function profile of {@code report} (on the UI thread); a report without one says so. */
	void show(AnalysisReport report) {
		if (table == null || table.getControl().isDisposed()) {
			return;
		}
		String recording = String.valueOf(report.deadlocks().recording().getFileName());
		profile = report.functions().orElse(null);
		if (profile == null) {
			callTree = null;
			table.setInput(List.of());
			tree.setInput(null);
			flame.setInput(null);
			flameInfo.setText("");
			setContentDescription(NLS.bind(Messages.Functions_notRun, recording));
			return;
		}
		callTree = CallTree.of(profile, Messages.Flame_all);
		setContentDescription(NLS.bind(Messages.Functions_summary, new Object[] { profile.functions().size(),
				profile.threads(), Nanos.format(profile.totalNanos()), recording }));
		table.setInput(profile.functions());
		tree.setInput(callTree);
		tree.expandToLevel(2);
		flame.setInput(callTree);
		flameInfo.setText(focusText());
	}

	/** Sorts the functions table by {@code column}, as a click on its header does (again: the reverse order). */
	public void sortBy(Column column) {
		for (TableColumn tc : table.getTable().getColumns()) {
			if (tc.getData() == column) {
				tc.notifyListeners(SWT.Selection, null);
			}
		}
	}

	/** The functions in the order the table shows them (for tests). */
	public List<Function> shownFunctions() {
		return java.util.Arrays.stream(table.getTable().getItems()).map(i -> (Function) i.getData()).toList();
	}

	/** The profile shown (for tests); null when none is. */
	public FunctionProfileReport profile() {
		return profile;
	}

	/** The call tree shown (its root stands for every thread); null when none is. */
	public Node callTree() {
		return callTree;
	}

	public TableViewer table() {
		return table;
	}

	public TreeViewer tree() {
		return tree;
	}

	/** Shows the functions table (0) or the call tree (1). */
	public void selectTab(int index) {
		tabs.setSelection(index);
	}

	/** The flame graph's canvas (for tests: events at {@link #flamePoint}). */
	public org.eclipse.swt.widgets.Canvas flameCanvas() {
		return flame.canvas();
	}

	/** The node the flame graph is focused on. */
	public Node flameFocus() {
		return flame.focus();
	}

	/** The frames the flame graph draws: node, x, width, level (for tests). */
	public List<String> flameFrames() {
		return flame.frames().stream().map(f -> (f.node().isRoot() ? "all" : String.join(";", f.node().path())) + " x="
				+ f.x() + " w=" + f.width() + (f.ancestor() ? " ancestor" : "")).toList();
	}

	/** The canvas point at the middle of the frame of {@code node}, if drawn. */
	public java.util.Optional<org.eclipse.swt.graphics.Point> flamePoint(Node node) {
		return flame.frames().stream().filter(f -> f.node() == node).findFirst().map(flame::center);
	}

	/** The text above the flame graph (hover details, or what is focused). */
	public String flameInfo() {
		return flameInfo.getText();
	}

	@Override
	public void setFocus() {
		table.getControl().setFocus();
	}

	@Override
	public void dispose() {
		LatestAnalysis.removeReportListener(published);
		super.dispose();
	}
}
