package org.insight.ui.views;

import java.util.List;
import java.util.function.Function;

import org.eclipse.jface.viewers.ITreeContentProvider;

/**
 * The tree content of the views whose input is a list of top rows, each row knowing its children and parent (the
 * Deadlocks and Lock Profile views' rows).
 */
final class RowTreeContent<R> implements ITreeContentProvider {
	private final Class<R> type;
	private final Function<R, List<R>> children;
	private final Function<R, R> parent;

	RowTreeContent(Class<R> type, Function<R, List<R>> children, Function<R, R> parent) {
		this.type = type;
		this.children = children;
		this.parent = parent;
	}

	@Override
	public Object[] getElements(Object input) {
		return ((List<?>) input).toArray();
	}

	@Override
	public Object[] getChildren(Object element) {
		return children.apply(type.cast(element)).toArray();
	}

	@Override
	public Object getParent(Object element) {
		return parent.apply(type.cast(element));
	}

	@Override
	public boolean hasChildren(Object element) {
		return !children.apply(type.cast(element)).isEmpty();
	}
}
