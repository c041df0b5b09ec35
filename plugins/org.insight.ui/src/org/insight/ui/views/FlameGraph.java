package org.insight.ui.views;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;
import org.insight.core.analysis.CallTree.Node;
import org.insight.ui.Messages;

/**
 * A flame graph of a call tree on an SWT canvas: x is the share of the inclusive time, y the depth (the root, every
 * thread, at the bottom). Hovering a frame shows its function, calls, time and share (tooltip, and to the hover
 * listener); a click on a frame focuses it (it spans the width, its callees zoomed); a click on an ancestor, or
 * {@link #reset()}, goes back. A tree taller than the canvas scrolls vertically (it opens at the bottom, the root).
 */
final class FlameGraph {
	static final int ROW = 18;
	private final Canvas canvas;
	private Node root;
	private Node focus;
	private List<FlameLayout.Frame> frames = List.of();
	private int laidOutWidth = -1;
	private Consumer<String> hover = s -> {
	};
	private Consumer<Node> focused = n -> {
	};

	FlameGraph(Composite parent) {
		canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED | SWT.NO_BACKGROUND | SWT.V_SCROLL);
		canvas.addListener(SWT.Paint, e -> paint(e.gc));
		canvas.addListener(SWT.Resize, e -> scrollToBottom());
		canvas.getVerticalBar().addListener(SWT.Selection, e -> canvas.redraw());
		canvas.addListener(SWT.MouseMove, this::hovered);
		canvas.addListener(SWT.MouseExit, e -> {
			canvas.setToolTipText(null);
			hover.accept("");
		});
		canvas.addListener(SWT.MouseUp, e -> {
			if (e.button == 1) {
				frameAt(e.x, e.y).ifPresent(f -> focus(f.node()));
			}
		});
	}

	Canvas canvas() {
		return canvas;
	}

	void onHover(Consumer<String> listener) {
		hover = listener;
	}

	void onFocus(Consumer<Node> listener) {
		focused = listener;
	}

	/** Shows {@code tree} unfocused; null: nothing. */
	void setInput(Node tree) {
		root = tree;
		focus = tree;
		relayout();
		scrollToBottom();
	}

	/** Fits the scroll bar to the tree's height and shows its bottom rows (the root). */
	private void scrollToBottom() {
		if (canvas.isDisposed()) {
			return;
		}
		var bar = canvas.getVerticalBar();
		int height = canvas.getClientArea().height;
		int content = contentHeight();
		bar.setValues(Math.max(0, content - height), 0, Math.max(content, 1), Math.max(1, Math.min(height, content)),
				ROW, Math.max(ROW, height - ROW));
		bar.setVisible(content > height);
		canvas.redraw();
	}

	private int contentHeight() {
		int rows = root == null ? 0 : root.height() + 1;
		return Math.max(canvas.getClientArea().height, rows * ROW);
	}

	Node focus() {
		return focus;
	}

	Node root() {
		return root;
	}

	/** Zooms into {@code node}: it spans the whole width. */
	void focus(Node node) {
		focus = node;
		relayout();
		focused.accept(node);
	}

	/** Back to the whole profile. */
	void reset() {
		if (root != null) {
			focus(root);
		}
	}

	/** The frames as last laid out for the canvas's width. */
	List<FlameLayout.Frame> frames() {
		layout();
		return frames;
	}

	/** The frame drawn at canvas point (x, y). */
	Optional<FlameLayout.Frame> frameAt(int x, int y) {
		int level = (bottom() - y) / ROW;
		return frames().stream().filter(f -> f.contains(x, level)).findFirst();
	}

	/** The canvas point at the middle of {@code f}. */
	Point center(FlameLayout.Frame f) {
		return new Point(f.x() + f.width() / 2, bottom() - f.depth() * ROW - ROW / 2);
	}

	/** The text the hover shows for {@code n}. */
	String details(Node n) {
		long all = root.inclusiveNanos();
		return NLS.bind(Messages.Flame_details, new Object[] { n.isRoot() ? Messages.Flame_all : n.function(), n
				.calls(), Nanos.format(n.inclusiveNanos()), Nanos.share(n.inclusiveNanos(), all), Nanos.format(n
						.selfNanos()) });
	}

	private void relayout() {
		laidOutWidth = -1;
		if (!canvas.isDisposed()) {
			canvas.redraw();
		}
	}

	private void layout() {
		int width = Math.max(1, canvas.getClientArea().width);
		if (focus != null && width != laidOutWidth) {
			frames = FlameLayout.of(focus, width);
			laidOutWidth = width;
		} else if (focus == null) {
			frames = List.of();
		}
	}

	/** The y of the bottom row's bottom: the canvas's bottom, or lower when the tree is taller and scrolled up. */
	private int bottom() {
		var bar = canvas.getVerticalBar();
		return contentHeight() - (bar.isVisible() ? bar.getSelection() : 0);
	}

	private void hovered(Event e) {
		Optional<FlameLayout.Frame> f = frameAt(e.x, e.y);
		String text = f.map(x -> details(x.node())).orElse(null);
		if (!java.util.Objects.equals(text, canvas.getToolTipText())) {
			canvas.setToolTipText(text);
			hover.accept(text == null ? "" : text);
		}
	}

	private void paint(GC gc) {
		var area = canvas.getClientArea();
		gc.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_LIST_BACKGROUND));
		gc.fillRectangle(area);
		if (root == null) {
			return;
		}
		int bottom = bottom();
		int textHeight = gc.getFontMetrics().getHeight();
		Color border = canvas.getDisplay().getSystemColor(SWT.COLOR_WIDGET_BACKGROUND);
		for (FlameLayout.Frame f : frames()) {
			int y = bottom - (f.depth() + 1) * ROW;
			gc.setBackground(color(f));
			gc.fillRectangle(f.x(), y, f.width(), ROW - 1);
			gc.setForeground(border);
			gc.drawLine(f.x() + f.width() - 1, y, f.x() + f.width() - 1, y + ROW - 1);
			String label = f.node().isRoot() ? Messages.Flame_all : f.node().function();
			String fitted = fit(gc, label, f.width() - 6);
			if (!fitted.isEmpty()) {
				gc.setForeground(canvas.getDisplay().getSystemColor(SWT.COLOR_BLACK));
				gc.drawText(fitted, f.x() + 3, y + (ROW - 1 - textHeight) / 2, true);
			}
		}
	}

	private static String fit(GC gc, String label, int width) {
		if (width < gc.textExtent("W..").x) {
			return "";
		}
		if (gc.textExtent(label).x <= width) {
			return label;
		}
		int n = label.length();
		while (n > 1 && gc.textExtent(label.substring(0, n) + "..").x > width) {
			n--;
		}
		return label.substring(0, n) + "..";
	}

	/** Warm colours by function name (stable across redraws and runs); the ancestors of the focus grey. */
	private static Color color(FlameLayout.Frame f) {
		if (f.ancestor()) {
			return new Color(215, 215, 215);
		}
		if (f.node().isRoot()) {
			return new Color(240, 200, 120);
		}
		int h = f.node().function().hashCode() & 0x7fffffff;
		return new Color(205 + h % 50, 80 + (h / 50) % 150, (h / 7500) % 60);
	}
}
