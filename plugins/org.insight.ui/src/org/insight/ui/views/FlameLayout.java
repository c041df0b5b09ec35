package org.insight.ui.views;

import java.util.ArrayList;
import java.util.List;

import org.insight.core.analysis.CallTree.Node;

/**
 * Where the flame graph draws its frames, with no SWT in it: the focused node spans the whole width, its ancestors
 * (the way back) too, drawn below it; each descendant is as wide as its share of the focused node's inclusive time,
 * placed after its elder siblings. Level {@code depth} is the row {@code depth} from the bottom. Frames narrower than
 * a pixel are left out.
 */
final class FlameLayout {
	/** A frame: the node, its x and width in pixels, its level, and whether it is an ancestor of the focus. */
	record Frame(Node node, int x, int width, int depth, boolean ancestor) {
		boolean contains(int px, int level) {
			return level == depth && px >= x && px < x + width;
		}
	}

	private FlameLayout() {
	}

	static List<Frame> of(Node focus, int width) {
		List<Frame> frames = new ArrayList<>();
		for (Node a = focus.parent(); a != null; a = a.parent()) {
			frames.add(new Frame(a, 0, width, a.depth(), true));
		}
		add(frames, focus, 0, width, focus.inclusiveNanos() <= 0 ? 1 : focus.inclusiveNanos(), width);
		return frames;
	}

	private static void add(List<Frame> frames, Node n, double x, double w, long whole, int width) {
		int px = (int) Math.round(x);
		int pw = (int) Math.round(x + w) - px;
		if (pw < 1) {
			return;
		}
		frames.add(new Frame(n, px, pw, n.depth(), false));
		double cx = x;
		for (Node c : n.children()) {
			double cw = (double) c.inclusiveNanos() * width / whole;
			add(frames, c, cx, cw, whole, width);
			cx += cw;
		}
	}
}
