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
import org.insight.analysis.Event;
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
			Finding f = new Finding(id(locks), locks, cycle, List.copyOf(threads), CycleVerdict.reasons(cycle, names));
			(f.filtered() ? filtered : found).add(f);
		}
		result = new DeadlockResult(found, filtered, graph.initSites(), graph.lockCount(), edges.size(),
				cycles.truncated());
	}

	/** The result, once {@link #finish()} ran. */
	public DeadlockResult result() {
		if (result == null) {
			throw new IllegalStateException("the analysis has not finished");
		}
		return result;
	}

	/** "DL-" and 10 hex digits of the SHA-256 of the cycle's lock names in order, from its lowest. */
	private String id(List<LockRef> locks) {
		try {
			MessageDigest d = MessageDigest.getInstance("SHA-256");
			for (LockRef l : locks) {
				d.update(names.of(l).getBytes(StandardCharsets.UTF_8));
				d.update((byte) 0);
			}
			return "DL-" + HexFormat.of().formatHex(d.digest()).substring(0, 10);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}
}
