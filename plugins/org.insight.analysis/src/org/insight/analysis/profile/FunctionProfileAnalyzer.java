package org.insight.analysis.profile;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.insight.analysis.Analyzer;
import org.insight.analysis.Event;
import org.insight.analysis.Event.FrameEnd;

/**
 * The exact function profile ({@value #ID}, version {@value #VERSION}): calls, self and inclusive time per function,
 * caller-to-callee edges and call paths, from the balanced function events of {@link FunctionHooks}.
 * <p>
 * Self time is a frame's time less its callees' frames. Inclusive time is counted once under recursion: only a
 * function's outermost open frame in a thread adds it. A tail-called function is its jumping caller's callee, and the
 * caller's frame (its self time fixed at the jump) stays open until the callee's ends, so inclusive time nests as the
 * source reads and as Callgrind shows it.
 */
public final class FunctionProfileAnalyzer implements Analyzer {
	public static final String ID = "functions";
	public static final String VERSION = "2";

	private static final class Node {
		final Node parent;
		final long function;
		final Map<Long, Node> children = new LinkedHashMap<>();
		long calls;
		long selfNanos;

		Node(Node parent, long function) {
			this.parent = parent;
			this.function = function;
		}
	}

	private static final class Open {
		final long function;
		final long caller;
		final long start;
		final Node node;
		final boolean recursive;
		long childNanos;
		/** Function entries in frames below it so far. */
		long entriesBelow;
		/** Self time fixed when it tail-called (-1 while it has not). */
		long selfAtJump = -1;

		Open(long function, long caller, long start, Node node, boolean recursive) {
			this.function = function;
			this.caller = caller;
			this.start = start;
			this.node = node;
			this.recursive = recursive;
		}
	}

	private static final class Totals {
		long calls;
		long recursive;
		long self;
		long inclusive;
		long unreturned;
	}

	private static final class EdgeTotals {
		long calls;
		long entries;
		long self;
		long inclusive;
	}

	private record EdgeKey(long caller, long callee) {
	}

	private final Map<Long, String> names;
	private final int hooked;
	private final Node root = new Node(null, FunctionProfile.ROOT);
	private final Map<Integer, Deque<Open>> threads = new HashMap<>();
	/** Open frames per thread and function: recursion depth. */
	private final Map<Integer, Map<Long, Integer>> active = new HashMap<>();
	/** Per thread, the call-path node of each function's outermost open frame, where its recursive entries count. */
	private final Map<Integer, Map<Long, Node>> outermost = new HashMap<>();
	private final Map<Long, Totals> totals = new HashMap<>();
	private final Map<EdgeKey, EdgeTotals> edges = new LinkedHashMap<>();
	private FunctionProfile result;

	/** @param names the hooked functions' names by entry address ({@link FunctionHooks#functions()}) */
	public FunctionProfileAnalyzer(Map<Long, String> names) {
		this.names = Map.copyOf(names);
		this.hooked = names.size();
	}

	@Override
	public String id() {
		return ID;
	}

	@Override
	public String version() {
		return VERSION;
	}

	@Override
	public void accept(Event event) {
		if (result != null) {
			throw new IllegalStateException("the analysis has finished");
		}
		if (event instanceof Event.FunctionEntered e) {
			entered(e);
		} else if (event instanceof Event.FunctionExited x) {
			exited(x);
		}
	}

	private void entered(Event.FunctionEntered e) {
		Deque<Open> stack = threads.computeIfAbsent(e.tid(), t -> new ArrayDeque<>());
		Open parent = stack.peek();
		Map<Long, Integer> depth = active.computeIfAbsent(e.tid(), t -> new HashMap<>());
		boolean recursive = depth.merge(e.function(), 1, Integer::sum) > 1;
		Node node;
		if (recursive) {
			// Call paths fold recursion: a recursive entry counts on the path of its function's outermost open frame,
			// so a path never repeats a function and its depth is bounded by the functions, not by the recursion (a
			// list walked recursively 10^5 deep would otherwise make 10^5 paths of up to 10^5 names each).
			node = outermost.get(e.tid()).get(e.function());
		} else {
			Node parentNode = parent == null ? root : parent.node;
			node = parentNode.children.computeIfAbsent(e.function(), f -> new Node(parentNode, f));
			outermost.computeIfAbsent(e.tid(), t -> new HashMap<>()).put(e.function(), node);
		}
		node.calls++;
		long caller = parent == null ? FunctionProfile.ROOT : parent.function;
		Totals t = totals.computeIfAbsent(e.function(), f -> new Totals());
		t.calls++;
		if (recursive) {
			t.recursive++;
		}
		edges.computeIfAbsent(new EdgeKey(caller, e.function()), k -> new EdgeTotals()).calls++;
		stack.push(new Open(e.function(), caller, e.threadNanos(), node, recursive));
	}

	private void exited(Event.FunctionExited x) {
		Deque<Open> stack = threads.get(x.tid());
		Open top = stack == null ? null : stack.peek();
		if (top == null || top.function != x.function() || top.selfAtJump >= 0) {
			throw new IllegalStateException("function exit of " + name(x.function()) + " in thread " + x.tid()
					+ " without its entry (the hooks' events are not balanced)");
		}
		if (x.how() == FrameEnd.TAIL_CALLED) {
			top.selfAtJump = Math.max(0, x.threadNanos() - top.start - top.childNanos);
			return;
		}
		close(x.tid(), stack, x.threadNanos(), x.how());
		while (!stack.isEmpty() && stack.peek().selfAtJump >= 0) {
			close(x.tid(), stack, x.threadNanos(), x.how());
		}
	}

	private void close(int tid, Deque<Open> stack, long now, FrameEnd how) {
		Open f = stack.pop();
		long inclusive = Math.max(0, now - f.start);
		long self = f.selfAtJump >= 0 ? f.selfAtJump : Math.max(0, inclusive - f.childNanos);
		Map<Long, Integer> depth = active.get(tid);
		int left = depth.merge(f.function, -1, Integer::sum);
		if (left == 0) {
			depth.remove(f.function);
			outermost.get(tid).remove(f.function);
		}
		Totals t = totals.get(f.function);
		t.self += self;
		if (left == 0) {
			t.inclusive += inclusive;
		}
		if (how == FrameEnd.UNWOUND || how == FrameEnd.THREAD_EXITED || how == FrameEnd.RUN_ENDED) {
			t.unreturned++;
		}
		EdgeTotals e = edges.get(new EdgeKey(f.caller, f.function));
		e.self += self;
		e.inclusive += inclusive;
		e.entries += 1 + f.entriesBelow;
		f.node.selfNanos += self;
		if (!stack.isEmpty()) {
			stack.peek().childNanos += inclusive;
			stack.peek().entriesBelow += 1 + f.entriesBelow;
		}
	}

	@Override
	public void finish() {
		for (Map.Entry<Integer, Deque<Open>> t : threads.entrySet()) {
			if (!t.getValue().isEmpty()) {
				throw new IllegalStateException("thread " + t.getKey() + " has " + t.getValue().size()
						+ " frames open at the end (the hooks' events are not balanced)");
			}
		}
		List<FunctionProfile.Function> fs = new ArrayList<>();
		long total = 0;
		for (Map.Entry<Long, Totals> e : totals.entrySet()) {
			Totals t = e.getValue();
			fs.add(new FunctionProfile.Function(e.getKey(), t.calls, t.recursive, t.self, t.inclusive, t.unreturned));
			total += t.self;
		}
		fs.sort(Comparator.comparingLong(FunctionProfile.Function::inclusiveNanos).reversed()
				.thenComparing(f -> name(f.address())));
		List<FunctionProfile.CallEdge> es = new ArrayList<>();
		for (Map.Entry<EdgeKey, EdgeTotals> e : edges.entrySet()) {
			EdgeTotals t = e.getValue();
			es.add(new FunctionProfile.CallEdge(e.getKey().caller, e.getKey().callee, t.calls, t.self, t.inclusive,
					t.entries));
		}
		es.sort(Comparator.comparingLong(FunctionProfile.CallEdge::calls).reversed()
				.thenComparing(e -> name(e.caller())).thenComparing(e -> name(e.callee())));
		List<FunctionProfile.CallPath> paths = new ArrayList<>();
		collect(root, new ArrayDeque<>(), paths);
		result = new FunctionProfile(fs, es, paths, names, hooked, total, threads.size());
	}

	/** Every path of the tree below {@code top}, depth first in first-seen order, without recursion. */
	private static void collect(Node top, Deque<Long> path, List<FunctionProfile.CallPath> out) {
		Deque<Iterator<Node>> pending = new ArrayDeque<>();
		pending.push(top.children.values().iterator());
		while (!pending.isEmpty()) {
			Iterator<Node> next = pending.peek();
			if (!next.hasNext()) {
				pending.pop();
				if (!path.isEmpty()) {
					path.removeLast();
				}
				continue;
			}
			Node c = next.next();
			path.addLast(c.function);
			out.add(new FunctionProfile.CallPath(new ArrayList<>(path), c.calls, c.selfNanos));
			pending.push(c.children.values().iterator());
		}
	}

	private String name(long address) {
		if (address == FunctionProfile.ROOT) {
			return "";
		}
		return Objects.requireNonNullElse(names.get(address), "0x" + Long.toHexString(address));
	}

	/** The profile; only after {@link #finish()}. */
	public FunctionProfile result() {
		if (result == null) {
			throw new IllegalStateException("the analysis has not finished");
		}
		return result;
	}
}
