package org.insight.analysis.deadlock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.insight.analysis.Analyzer;
import org.insight.analysis.BlockedCall;
import org.insight.analysis.Event;
import org.insight.analysis.CallStack;
import org.insight.analysis.LockRef;

/**
 * Potential deadlocks (ARCHITECTURE.md section 4): the lock-order graph of the replay ({@link LockOrderGraph}), each
 * of its cycles once ({@link Cycles}), each judged by {@link CycleVerdict}.
 */
public final class DeadlockAnalyzer implements Analyzer {
	public static final String ID = "deadlocks";
	public static final String VERSION = "1";

	private final LockOrderGraph graph = new LockOrderGraph();
	private final Names names;
	private DeadlockResult result;
	private List<BlockedCall> blocked = List.of();

	/** @param names how locks are named in reasons and ids */
	public DeadlockAnalyzer(Names names) {
		this.names = Objects.requireNonNull(names, "names");
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
		graph.accept(event);
	}

	/**
	 * The run ended in an actual deadlock, with these threads blocked in lock calls ({@code LockHooks.blocked()}): the
	 * result will have its wait-for cycles ({@link DeadlockResult#actual()}). Before {@link #finish()}.
	 */
	public void endedInDeadlock(List<BlockedCall> calls) {
		if (result != null) {
			throw new IllegalStateException("the analysis has finished");
		}
		blocked = List.copyOf(calls);
	}

	@Override
	public void finish() {
		List<Edge> edges = graph.edges();
		Cycles cycles = Cycles.of(edges);
		List<Finding> found = new ArrayList<>();
		List<Finding> filtered = new ArrayList<>();
		for (List<Edge> cycle : cycles.all()) {
			List<LockRef> locks = cycle.stream().map(Edge::from).toList();
			Set<Integer> threads = new LinkedHashSet<>();
			cycle.forEach(e -> threads.addAll(e.threads()));
			Finding f = new Finding(id("DL-", locks), locks, cycle, List.copyOf(threads), CycleVerdict.reasons(cycle,
					names));
			(f.filtered() ? filtered : found).add(f);
		}
		List<Finding> actual = new ArrayList<>();
		for (List<Edge> waits : WaitForCycles.of(graph, blocked)) {
			// From its lowest lock, as the potential deadlocks: the same deadlock gets the same id in every run.
			int lowest = 0;
			for (int i = 1; i < waits.size(); i++) {
				if (Long.compareUnsigned(waits.get(i).from().address(), waits.get(lowest).from().address()) < 0) {
					lowest = i;
				}
			}
			List<Edge> cycle = new ArrayList<>(waits.subList(lowest, waits.size()));
			cycle.addAll(waits.subList(0, lowest));
			List<LockRef> locks = cycle.stream().map(Edge::from).toList();
			actual.add(new Finding(id("AD-", locks), locks, cycle, cycle.stream().map(e -> e.first().tid()).toList(),
					List.of()));
		}
		result = new DeadlockResult(found, filtered, graph.initSites(), graph.lockCount(), edges.size(),
				cycles.truncated(), actual);
	}

	/** The edges of every cycle of {@code r}, reported or filtered, each as its two locks. */
	public static java.util.Set<List<LockRef>> cycleEdges(DeadlockResult r) {
		java.util.Set<List<LockRef>> all = new java.util.HashSet<>();
		for (List<Finding> fs : List.of(r.findings(), r.filtered())) {
			for (Finding f : fs) {
				f.edges().forEach(e -> all.add(List.of(e.from(), e.to())));
			}
		}
		return all;
	}

	/** Whether some thread took each of {@code edges} (a lock then the other) so far. */
	public boolean tookAll(java.util.Collection<List<LockRef>> edges) {
		for (List<LockRef> e : edges) {
			if (graph.edge(e.get(0), e.get(1)).isEmpty()) {
				return false;
			}
		}
		return true;
	}

	/** Whether each of {@code locks} was initialised so far (its first init site is known). */
	public boolean initialised(java.util.Collection<LockRef> locks) {
		return graph.initSites().keySet().containsAll(locks);
	}

	/**
	 * {@code counted}'s cycles, each edge with the first occurrence this analyzer saw of it instead, and the init sites
	 * it saw: the stacks of an analysis of the same replay with exact hooks (this one, which may have stopped early),
	 * put into the result of one whose lock calls were counted ({@code LockHooks#countingCalls}), whose stacks are the
	 * call sites alone. An edge this one did not see keeps its counted occurrence.
	 */
	public DeadlockResult stacksInto(DeadlockResult counted) {
		java.util.Map<LockRef, CallStack> sites = new java.util.HashMap<>(counted.initSites());
		sites.putAll(graph.initSites());
		return new DeadlockResult(withFirsts(counted.findings()), withFirsts(counted.filtered()), sites,
				counted.locks(), counted.edges(), counted.truncated(), counted.actual());
	}

	private List<Finding> withFirsts(List<Finding> findings) {
		List<Finding> all = new ArrayList<>();
		for (Finding f : findings) {
			List<Edge> edges = f.edges().stream().map(e -> graph.edge(e.from(), e.to()).map(x -> e.withFirst(x
					.first())).orElse(e)).toList();
			all.add(new Finding(f.id(), f.locks(), edges, f.threads(), f.filterReasons()));
		}
		return all;
	}

	/** The result, once {@link #finish()} ran. */
	public DeadlockResult result() {
		if (result == null) {
			throw new IllegalStateException("the analysis has not finished");
		}
		return result;
	}

	/**
	 * {@code prefix} ("DL-" for a potential deadlock, "AD-" for an actual one) and 10 hex digits of the SHA-256 of the
	 * cycle's lock names in order, from its lowest.
	 */
	private String id(String prefix, List<LockRef> locks) {
		try {
			MessageDigest d = MessageDigest.getInstance("SHA-256");
			for (LockRef l : locks) {
				d.update(names.of(l).getBytes(StandardCharsets.UTF_8));
				d.update((byte) 0);
			}
			return prefix + HexFormat.of().formatHex(d.digest()).substring(0, 10);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}
}
