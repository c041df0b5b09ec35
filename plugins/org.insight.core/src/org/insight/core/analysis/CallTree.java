package org.insight.core.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calling-context tree of a function profile, built from its call paths: a node per distinct path prefix, its
 * inclusive time the self time of every path through it. The root stands for the whole profile (every thread); its
 * children are the threads' first functions. The Function Profile view shows it as the call tree and as the flame
 * graph (x: share of the inclusive time, y: depth).
 */
public final class CallTree {
	/** A node: {@code function} called along the path from the root; children sorted by inclusive time, largest first. */
	public static final class Node {
		private final String function;
		private final Node parent;
		private final int depth;
		private final Map<String, Node> children = new LinkedHashMap<>();
		private List<Node> sorted = List.of();
		private long calls;
		private long selfNanos;
		private long inclusiveNanos;

		Node(String function, Node parent) {
			this.function = function;
			this.parent = parent;
			this.depth = parent == null ? 0 : parent.depth + 1;
		}

		public String function() {
			return function;
		}

		/** Null for the root. */
		public Node parent() {
			return parent;
		}

		/** 0 for the root, 1 for a thread's first function. */
		public int depth() {
			return depth;
		}

		public List<Node> children() {
			return sorted;
		}

		/** The calls of this function along this path. */
		public long calls() {
			return calls;
		}

		public long selfNanos() {
			return selfNanos;
		}

		public long inclusiveNanos() {
			return inclusiveNanos;
		}

		public boolean isRoot() {
			return parent == null;
		}

		/** The functions from the root's child down to this node. */
		public List<String> path() {
			List<String> p = new ArrayList<>();
			for (Node n = this; n.parent != null; n = n.parent) {
				p.add(n.function);
			}
			Collections.reverse(p);
			return p;
		}

		/** The deepest level under this node (0: a leaf). */
		/** Levels below this node; computed once (the flame graph asks on every paint and mouse move). */
		public int height() {
			if (height < 0) {
				int h = 0;
				for (Node c : sorted) {
					h = Math.max(h, c.height() + 1);
				}
				height = h;
			}
			return height;
		}

		private int height = -1;

		private long finish() {
			height = -1;
			long sum = selfNanos;
			for (Node c : children.values()) {
				sum += c.finish();
			}
			inclusiveNanos = sum;
			List<Node> s = new ArrayList<>(children.values());
			s.sort((a, b) -> Long.compare(b.inclusiveNanos, a.inclusiveNanos));
			sorted = List.copyOf(s);
			return sum;
		}

		@Override
		public String toString() {
			return String.join(";", path()) + " " + inclusiveNanos;
		}
	}

	private CallTree() {
	}

	/** The tree of {@code profile}'s call paths; its root's name is {@code rootName}. */
	public static Node of(FunctionProfileReport profile, String rootName) {
		Node root = new Node(rootName, null);
		for (FunctionProfileReport.CallPath p : profile.paths()) {
			Node n = root;
			for (String f : p.stack()) {
				Node parent = n;
				n = parent.children.computeIfAbsent(f, name -> new Node(name, parent));
			}
			if (n != root) {
				n.calls += p.calls();
				n.selfNanos += p.selfNanos();
			}
		}
		root.finish();
		return root;
	}
}
