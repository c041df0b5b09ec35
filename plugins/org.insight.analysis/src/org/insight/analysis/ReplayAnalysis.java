package org.insight.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Edge;
import org.insight.analysis.deadlock.Finding;
import org.insight.analysis.hooks.HookedFunction;
import org.insight.analysis.hooks.LockHooks;
import org.insight.analysis.hooks.ObserverGroup;
import org.insight.analysis.profile.FunctionHooks;
import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.profile.FunctionProfileAnalyzer;
import org.insight.analysis.profile.FunctionScope;
import org.insight.analysis.source.SourceLines;
import org.insight.replay.ReplayOptions;
import org.insight.replay.ReplaySession;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.loader.LoadedImage;
import org.insight.vmm.machine.CodeObserver;

/**
 * Analyses a recording: replays it with the analysis hooks ({@link LockHooks}) feeding the analyzers, requires the
 * replay to verify (a divergence aborts with its report, never a partial result), then maps every address of the
 * results to its source line from the binary embedded in the recording, so a recording can be analysed anywhere.
 */
public final class ReplayAnalysis {
	private ReplayAnalysis() {
	}

	/**
	 * @param output where the guest's output goes during the replay (its digests are checked whatever the sink)
	 * @throws org.insight.replay.DivergenceException    when the replay is not the recorded execution
	 * @throws org.insight.replay.ReplayRefusedException when the recording cannot be replayed here
	 * @throws org.insight.replay.trace.TraceException   when the trace cannot be read
	 * @throws IOException                               when a file cannot be read or written
	 */
	public static AnalysisResult run(Path trace, OutputSink output, ReplayOptions options) throws IOException {
		return run(trace, output, options, Analyses.DEFAULT);
	}

	/**
	 * Which analyses a replay runs: potential deadlocks (the lock hooks), the exact function profile (a hook on every
	 * sized function, so every call costs exits: only when asked).
	 */
	public record Analyses(boolean deadlocks, boolean functions, FunctionScope scope) {
		/** What {@code insight analyze} runs when no analysis is named. */
		public static final Analyses DEFAULT = new Analyses(true, false);

		public Analyses {
			if (!deadlocks && !functions) {
				throw new IllegalArgumentException("no analysis chosen");
			}
			Objects.requireNonNull(scope, "scope");
		}

		/** The function profile, if chosen, of every sized function. */
		public Analyses(boolean deadlocks, boolean functions) {
			this(deadlocks, functions, FunctionScope.ALL);
		}
	}

	/** As {@link #run(Path, OutputSink, ReplayOptions)}, running the {@code chosen} analyses on the one replay. */
	public static AnalysisResult run(Path trace, OutputSink output, ReplayOptions options, Analyses chosen)
			throws IOException {
		AtomicReference<ReplaySession> session = new AtomicReference<>();
		AtomicReference<LoadedImage> image = new AtomicReference<>();
		AtomicReference<LockHooks> hooks = new AtomicReference<>();
		AtomicReference<FunctionHooks> functionHooks = new AtomicReference<>();
		List<Analyzer> analyzers = new ArrayList<>();
		long[] events = new long[1];
		VmmLauncher launcher = new VmmLauncher(null).withObserver(loaded -> {
			image.set(loaded);
			LongSupplier position = () -> session.get() == null ? 0 : session.get().frames();
			Consumer<Event> sink = e -> {
				events[0]++;
				for (Analyzer a : analyzers) {
					a.accept(e);
				}
			};
			analyzers.clear();
			List<CodeObserver> observers = new ArrayList<>();
			hooks.set(null);
			functionHooks.set(null);
			if (chosen.deadlocks()) {
				LockHooks h = new LockHooks(loaded.symbols(), position, sink);
				hooks.set(h);
				observers.add(h);
				analyzers.add(new DeadlockAnalyzer(new LockNames(loaded.symbols())));
			}
			if (chosen.functions()) {
				FunctionHooks f = FunctionHooks.of(loaded, chosen.scope(), position, sink);
				functionHooks.set(f);
				observers.add(f);
				analyzers.add(new FunctionProfileAnalyzer(f.functions()));
			}
			return ObserverGroup.of(observers);
		});
		String verification;
		GuestBinary binary;
		try (ReplaySession s = ReplaySession.open(trace, output, launcher, options)) {
			session.set(s);
			s.run();
			verification = s.verification().orElseThrow(() -> new IllegalStateException("the replay did not verify"));
			binary = s.header().program().binary();
			if (functionHooks.get() != null) {
				functionHooks.get().runEnded();
			}
		}
		analyzers.forEach(Analyzer::finish);
		LoadedImage loaded = image.get();
		DeadlockResult result = null;
		FunctionProfile profile = null;
		Set<Long> addresses = new HashSet<>();
		for (Analyzer a : analyzers) {
			if (a instanceof DeadlockAnalyzer d) {
				result = d.result();
				addresses.addAll(addresses(result));
			} else if (a instanceof FunctionProfileAnalyzer f) {
				profile = f.result();
				profile.functions().forEach(fn -> addresses.add(fn.address()));
			}
		}
		SourceLines lines = lines(binary, loaded, addresses);
		List<String> hooked = hooks.get() == null ? List.of()
				: hooks.get().functions().values().stream().map(HookedFunction::name).sorted().toList();
		return new AnalysisResult(binary.name(), verification, analyzers.stream().map(a -> a.id() + "/" + a.version())
				.toList(), hooked, events[0], result, new LockNames(loaded.symbols()), lines, profile);
	}

	/** Every return address of every stack in {@code r}, as call sites (one byte before each). */
	static Set<Long> addresses(DeadlockResult r) {
		Set<Long> all = new HashSet<>();
		List<Finding> every = new ArrayList<>(r.findings());
		every.addAll(r.filtered());
		for (Finding f : every) {
			for (Edge e : f.edges()) {
				for (CallStack st : List.of(e.first().fromStack(), e.first().toStack())) {
					for (int i = 0; i < st.depth(); i++) {
						all.add(st.callSite(i));
					}
				}
			}
		}
		for (CallStack st : r.initSites().values()) {
			for (int i = 0; i < st.depth(); i++) {
				all.add(st.callSite(i));
			}
		}
		return all;
	}

	private static SourceLines lines(GuestBinary binary, LoadedImage loaded, Set<Long> addresses) throws IOException {
		Path elf = Files.createTempFile("insight-analysis-", ".elf",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		try {
			Files.write(elf, binary.bytes());
			return SourceLines.resolve(elf, loaded.symbols(), loaded.bias(), addresses);
		} finally {
			Files.deleteIfExists(elf);
		}
	}
}
