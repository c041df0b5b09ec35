package org.insight.ui.views;

import java.util.function.ToLongFunction;

import org.eclipse.jface.viewers.ColumnViewer;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Item;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TreeColumn;

/**
 * Sorting of a table or tree by a numeric column: a click on a column's header sorts by it, largest first; a second
 * click on the same header reverses the order. The rows of every level of a tree are sorted alike (a lock's sites too).
 */
final class ColumnSort extends ViewerComparator {
	private final ColumnViewer viewer;
	private Item column;
	private ToLongFunction<Object> key;
	private boolean descending = true;

	ColumnSort(ColumnViewer viewer) {
		this.viewer = viewer;
	}

	/** Makes a click on {@code column}'s header sort by {@code key}. */
	void sortable(Item column, ToLongFunction<Object> key) {
		column.addListener(SWT.Selection, e -> sortBy(column, key));
	}

	/** Sorts by {@code key}, as a click on {@code column}'s header does. */
	void sortBy(Item column, ToLongFunction<Object> key) {
		descending = column != this.column || !descending;
		this.column = column;
		this.key = key;
		if (viewer instanceof TreeViewer t) {
			t.getTree().setSortColumn((TreeColumn) column);
			t.getTree().setSortDirection(descending ? SWT.DOWN : SWT.UP);
		} else if (viewer instanceof TableViewer t) {
			t.getTable().setSortColumn((TableColumn) column);
			t.getTable().setSortDirection(descending ? SWT.DOWN : SWT.UP);
		}
		viewer.setComparator(null);
		viewer.setComparator(this);
	}

	@Override
	public int compare(Viewer v, Object a, Object b) {
		if (key == null) {
			return 0;
		}
		int c = Long.compare(key.applyAsLong(a), key.applyAsLong(b));
		return descending ? -c : c;
	}
}
