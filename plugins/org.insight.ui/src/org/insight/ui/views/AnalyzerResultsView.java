package org.insight.ui.views;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.eclipse.jface.layout.TreeColumnLayout;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerColumn;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.part.ViewPart;
import org.insight.core.analysis.AnalysisReport;
import org.insight.core.analysis.AnalyzerDescriptor;
import org.insight.core.analysis.AnalyzerRegistry;
import org.insight.core.analysis.AnalyzerResult;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.ui.Messages;

/**
 * Analyzer Results: the rows of the contributed analyzers ({@code org.insight.core.analyzers} with a class) of the
 * latest report, a top row per analyzer; a double-click on a row with a source position opens it. It only renders
 * {@link LatestAnalysis}.
 */
public final class AnalyzerResultsView extends ViewPart {
	public static final String ID = "org.insight.ui.analyzerResultsView";
	private TreeViewer viewer;
	private volatile List<Node> nodes = List.of();
	private final Consumer<AnalysisReport> published = r -> Display.getDefault().asyncExec(() -> show(r));

	/** A row of the tree: an analyzer (row null) or one of its result rows. */
	public record Node(String text, String detail, AnalyzerResult.Row row, List<Node> children, Node[] parent) {
		Node parentNode() {
			return parent[0];
		}
	}

	@Override
	public void createPartControl(Composite parent) {
		Composite box = new Composite(parent, SWT.NONE);
		TreeColumnLayout layout = new TreeColumnLayout();
		box.setLayout(layout);
		viewer = new TreeViewer(box, SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
		viewer.getTree().setHeaderVisible(true);
		viewer.getTree().setLinesVisible(true);
		viewer.setContentProvider(new RowTreeContent<>(Node.class, Node::children, Node::parentNode));
		column(layout, Messages.Results_columnResult, 4, Node::text);
		column(layout, Messages.Results_columnDetail, 2, Node::detail);
		column(layout, Messages.Results_columnLocation, 2, n -> n.row() == null ? "" : Views.shortLocation(n.row()
				.frame()));
		viewer.addDoubleClickListener(e -> {
			if (Views.first(e.getSelection()) instanceof Node n && n.row() != null && n.row().frame() != null) {
				Views.open(getSite().getPage(), List.of(n.row().frame()));
			}
		});
		getSite().setSelectionProvider(viewer);
		LatestAnalysis.addReportListener(published);
		LatestAnalysis.report().ifPresentOrElse(this::show, () -> {
			setContentDescription(Messages.Results_empty);
			viewer.setInput(List.of());
		});
	}

	private void column(TreeColumnLayout layout, String title, int weight, Function<Node, String> text) {
		TreeViewerColumn c = new TreeViewerColumn(viewer, SWT.LEFT);
		c.getColumn().setText(title);
		layout.setColumnData(c.getColumn(), new ColumnWeightData(weight, 120));
		c.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return text.apply((Node) element);
			}
		});
	}

	/** Shows the contributed results of {@code report} (on the UI thread). */
	void show(AnalysisReport report) {
		if (viewer == null || viewer.getControl().isDisposed()) {
			return;
		}
		nodes = nodes(report.contributed());
		setContentDescription(nodes.isEmpty() ? Messages.Results_empty : NLS.bind(Messages.Results_summary,
				nodes.size(), report.deadlocks().recording().getFileName()));
		viewer.setInput(nodes);
		viewer.expandToLevel(2);
	}

	private static List<Node> nodes(Map<String, AnalyzerResult> results) {
		List<Node> out = new ArrayList<>();
		for (Map.Entry<String, AnalyzerResult> e : results.entrySet()) {
			String name = AnalyzerRegistry.find(e.getKey()).map(AnalyzerDescriptor::name).orElse(e.getKey());
			Node[] self = { null };
			List<Node> children = rows(e.getValue().rows(), self);
			self[0] = new Node(name, NLS.bind(Messages.Results_count, children.size()), null, children, new Node[1]);
			out.add(self[0]);
		}
		return List.copyOf(out);
	}

	private static List<Node> rows(List<AnalyzerResult.Row> rows, Node[] parent) {
		List<Node> out = new ArrayList<>();
		for (AnalyzerResult.Row r : rows) {
			Node[] self = { null };
			self[0] = new Node(r.text(), r.detail(), r, rows(r.children(), self), parent);
			out.add(self[0]);
		}
		return List.copyOf(out);
	}

	/** The top rows shown, one per analyzer (for tests). */
	public List<Node> nodes() {
		return nodes;
	}

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
