package org.insight.ui.views;

import java.util.function.Consumer;
import java.util.function.Supplier;

import org.eclipse.jface.layout.TreeColumnLayout;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.ITreeContentProvider;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.insight.core.analysis.CallTree.Node;
import org.insight.ui.Messages;

/**
 * The Function Profile view's call tree: caller to callee along the call paths ({@link Node}s; the root, every
 * thread, is not shown), with calls, self and inclusive time and the share of all.
 */
final class CallTreeViewer {
	private CallTreeViewer() {
	}

	/**
	 * A tree viewer in a composite of its own, under {@code parent}; {@code root} gives the tree shown (for the shares),
	 * {@code opened} hears of a double-click on a node.
	 */
	static TreeViewer create(Composite parent, Supplier<Node> root, Consumer<Node> opened) {
		Composite box = new Composite(parent, SWT.NONE);
		TreeColumnLayout layout = new TreeColumnLayout();
		box.setLayout(layout);
		TreeViewer tree = new TreeViewer(box, SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
		tree.getTree().setHeaderVisible(true);
		tree.getTree().setLinesVisible(true);
		tree.setContentProvider(new ITreeContentProvider() {
			@Override
			public Object[] getElements(Object input) {
				return ((Node) input).children().toArray();
			}

			@Override
			public Object[] getChildren(Object element) {
				return ((Node) element).children().toArray();
			}

			@Override
			public Object getParent(Object element) {
				Node p = ((Node) element).parent();
				return p == null || p.isRoot() ? null : p;
			}

			@Override
			public boolean hasChildren(Object element) {
				return !((Node) element).children().isEmpty();
			}
		});
		column(tree, layout, Messages.Functions_columnFunction, 40, SWT.LEFT, Node::function);
		column(tree, layout, Messages.Functions_columnCalls, 12, SWT.RIGHT, n -> Long.toString(n.calls()));
		column(tree, layout, Messages.Functions_columnSelf, 12, SWT.RIGHT, n -> Nanos.format(n.selfNanos()));
		column(tree, layout, Messages.Functions_columnInclusive, 12, SWT.RIGHT, n -> Nanos.format(n.inclusiveNanos()));
		column(tree, layout, Messages.Functions_columnInclusiveShare, 10, SWT.RIGHT, n -> Nanos.share(n
				.inclusiveNanos(), root.get() == null ? 0 : root.get().inclusiveNanos()));
		tree.addDoubleClickListener(e -> {
			if (Views.first(e.getSelection()) instanceof Node n) {
				opened.accept(n);
			}
		});
		return tree;
	}

	private static void column(TreeViewer tree, TreeColumnLayout layout, String title, int weight, int align,
			java.util.function.Function<Node, String> text) {
		TreeViewerColumn c = new TreeViewerColumn(tree, align);
		c.getColumn().setText(title);
		layout.setColumnData(c.getColumn(), new ColumnWeightData(weight, Views.titleWidth(tree.getTree(), title)));
		c.setLabelProvider(new ColumnLabelProvider() {
			@Override
			public String getText(Object element) {
				return text.apply((Node) element);
			}
		});
	}
}
