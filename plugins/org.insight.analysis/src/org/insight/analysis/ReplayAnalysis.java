package org.insight.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.insight.analysis.locks.LockProfile;
import org.insight.analysis.locks.LockProfileAnalyzer;
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
import org.insight.symbols.CallFrameInfo;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.loader.GuestImages;
import org.insight.vmm.loader.LoadedImage;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.machine.CodeObserver;

/**
 * Analyses a recording: replays it with the analysis hooks ({@link LockHooks}) feeding the analyzers, requires the
 * replay to verify (a divergence aborts with its report, never a partial result), then maps every address of the
 * results to its source line from the binary embedded in the recording, so a recording can be analysed anywhere. A
 * recording that ended in an actual deadlock replays to it, and the threads' waits at the end give its wait-for cycle.
 */
public final class ReplayAnalysis {
	private ReplayAnalysis() {
	}

	/** The id of every analyzer, in the order they run. */
	public static final List<String> ALL = List.of(DeadlockAnalyzer.ID, LockProfileAnalyzer.ID,
			FunctionProfileAnalyzer.ID);

	/**
	 * The analyzers that run when none is named: all but the exact function profile, which hooks every sized function
	 * and so costs exits on every call (asked for by name).
	 */
	public static final List<String> DEFAULT = List.of(DeadlockAnalyzer.ID, LockProfileAnalyzer.ID);

	/** {@link #run(Path, OutputSink, ReplayOptions, Collection)} with the {@link #DEFAULT} analyzers. */
	public static AnalysisResult run(Path trace, OutputSink output, ReplayOptions options) throws IOException {
		return run(trace, output, options, DEFAULT);
	}

	/**
	 * @param output    where the guest's output goes during the replay (its digests are checked whatever the sink)
	 * @param selected  the ids of the analyzers to run (of {@link #ALL})
	 * @throws org.insight.replay.DivergenceException    when the replay is not the recorded execution
	 * @throws org.insight.replay.ReplayRefusedException when the recording cannot be replayed here
	 * @throws org.insight.replay.trace.TraceException   when the trace cannot be read
	 * @throws IOException                               when a file cannot be read or written
	 */
	public static AnalysisResult run(Path trace, OutputSink output, ReplayOptions options, Collection<String> selected)
			throws IOException {
		return run(trace, output, options, selected, FunctionScope.ALL);
	}

	/**
	 * As {@link #run(Path, OutputSink, ReplayOptions, Collection)}, the function profile (when selected) hooking the
	 * functions of {@code scope} only.
	 */
	public static AnalysisResult run(Path trace, OutputSink output, ReplayOptions options, Collection<String> selected,
			FunctionScope scope) throws IOException {
		return run(trace, output, options, selected, scope, Listener.NONE);
	}

	/** Hears of the replays an analysis makes (for {@code insight analyze --stats}). */
	public interface Listener {
		Listener NONE = new Listener() {
		};

		/** The analysis's replay ended (verified), as the machine ran it. */
		default void replayed(RunResult run) {
		}

		/**
		 * The second replay, with the exact hooks, for the stacks of {@code edges} cycle edges ({@link ExactStacks}),
		 * stopped after {@code frames} of the recording's {@code of} frames (all of them when it ran to the end).
		 */
		default void stacksReplayed(int edges, long frames, long of) {
		}
	}

	/** As {@link #run(Path, OutputSink, ReplayOptions, Collection, FunctionScope)}, telling {@code listener}. */
	public static AnalysisResult run(Path trace, OutputSink output, ReplayOptions options, Collection<String> selected,
			FunctionScope scope, Listener listener) throws IOException {
		Objects.requireNonNull(scope, "scope");
		for (String id : selected) {
			if (!ALL.contains(id)) {
				throw new IllegalArgumentException("no analyzer " + id + " (there are " + ALL + ")");
			}
		}
		boolean counted = selected.contains(DeadlockAnalyzer.ID) && !selected.contains(LockProfileAnalyzer.ID)
				&& !selected.contains(FunctionProfileAnalyzer.ID);
		Replayed pass = replay(trace, output, options, selected, scope, counted, null);
		pass.run().ifPresent(listener::replayed);
		List<Analyzer> analyzers = pass.analyzers();
		GuestImages images = pass.images();
		GuestBinary binary = pass.binary();
		String verification = pass.verification();
		analyzers.forEach(Analyzer::finish);
		DeadlockResult result = null;
		LockProfile locks = null;
		FunctionProfile functions = null;
		Set<Long> addresses = new HashSet<>();
		for (Analyzer a : analyzers) {
			if (a instanceof DeadlockAnalyzer d) {
				result = d.result();
				if (counted && (ExactStacks.needed(result) || pass.deadlocked())) {
					int edges = DeadlockAnalyzer.cycleEdges(result).size();
					result = ExactStacks.of(result, pass.deadlocked(), enough -> {
						Replayed again = replay(trace, (fd, data, off, len) -> {
							// the guest's output was the first replay's to check
						}, options, List.of(DeadlockAnalyzer.ID), FunctionScope.ALL, false, enough);
						listener.stacksReplayed(edges, again.frames(), again.recordedFrames());
						return again;
					});
				}
				addresses.addAll(addresses(result));
			} else if (a instanceof LockProfileAnalyzer l) {
				locks = l.result();
				addresses.addAll(addresses(locks));
			} else if (a instanceof FunctionProfileAnalyzer f) {
				functions = f.result();
				functions.functions().forEach(fn -> addresses.add(fn.address()));
			}
		}
		SourceLines lines = lines(binary, images, addresses);
		List<String> hooked = pass.hooks() == null ? List.of()
				: pass.hooks().functions().values().stream().map(HookedFunction::name).sorted().toList();
		return new AnalysisResult(binary.name(), verification, analyzers.stream().map(a -> a.id() + "/" + a.version())
				.toList(), hooked, pass.events(), result, new LockNames(images::symbols), lines, locks, functions);
	}

	/**
	 * One replay with the hooks of {@code selected} feeding their analyzers (not finished yet), the lock functions'
	 * calls {@code counted} in the guest where their entry says enough ({@link LockHooks#countingCalls()}). With
	 * {@code enough}, the replay stops as soon as it says so of the deadlock analyzer, after any event, unverified
	 * ({@link ExactStacks}: a second replay of a recording the first one verified); without it the replay must verify.
	 */
	static Replayed replay(Path trace, OutputSink output, ReplayOptions options, Collection<String> selected,
			FunctionScope scope, boolean counted, java.util.function.Predicate<DeadlockAnalyzer> enough)
			throws IOException {
		AtomicReference<ReplaySession> session = new AtomicReference<>();
		AtomicReference<GuestImages> image = new AtomicReference<>();
		AtomicReference<LockHooks> hooks = new AtomicReference<>();
		AtomicReference<FunctionHooks> functionHooks = new AtomicReference<>();
		List<Analyzer> analyzers = new ArrayList<>();
		long[] events = new long[1];
		VmmLauncher launcher = new VmmLauncher(null).withObserver(images -> {
			image.set(images);
			LoadedImage loaded = images.loaded();
			LongSupplier position = () -> session.get() == null ? 0 : session.get().frames();
			Consumer<Event> sink = e -> {
				events[0]++;
				for (Analyzer a : analyzers) {
					a.accept(e);
					if (enough != null && a instanceof DeadlockAnalyzer d && enough.test(d)) {
						throw new ExactStacks.Enough();
					}
				}
			};
			analyzers.clear();
			List<CodeObserver> observers = new ArrayList<>();
			hooks.set(null);
			functionHooks.set(null);
			if (selected.contains(DeadlockAnalyzer.ID) || selected.contains(LockProfileAnalyzer.ID)) {
				// the program's and its interpreter's symbols (musl's lock functions are its ld.so's); a library
				// mapped later adds its own (CodeObserver.libraryMapped)
				LockHooks h = new LockHooks(images.symbols(), CallFrameInfo.of(loaded.image()), loaded.bias(), position,
						sink);
				if (counted) {
					h.countingCalls(); // the lock order alone: lock, unlock and init need no exit
				}
				hooks.set(h);
				observers.add(h);
			}
			if (selected.contains(DeadlockAnalyzer.ID)) {
				analyzers.add(new DeadlockAnalyzer(new LockNames(images::symbols)));
			}
			if (selected.contains(LockProfileAnalyzer.ID)) {
				analyzers.add(new LockProfileAnalyzer());
			}
			if (selected.contains(FunctionProfileAnalyzer.ID)) {
				FunctionHooks f = FunctionHooks.of(loaded, scope, position, sink);
				functionHooks.set(f);
				observers.add(f);
				analyzers.add(new FunctionProfileAnalyzer(f.functions()));
			}
			return ObserverGroup.of(observers);
		});
		String verification;
		GuestBinary binary;
		long frames;
		long recordedFrames;
		try (ReplaySession s = ReplaySession.open(trace, output, launcher, options)) {
			session.set(s);
			binary = s.header().program().binary();
			try {
				s.run();
			} catch (ExactStacks.Enough stopped) {
				return new Replayed(analyzers, image.get(), hooks.get(), binary, null, events[0], false,
						java.util.Optional.empty(), s.frames(), s.recordedFrames());
			}
			verification = s.verification().orElseThrow(() -> new IllegalStateException("the replay did not verify"));
			frames = s.frames();
			recordedFrames = s.recordedFrames();
			if (functionHooks.get() != null) {
				functionHooks.get().runEnded();
			}
			if (hooks.get() != null) {
				hooks.get().runEnded();
			}
		}
		// The replay reproduced the recorded deadlock (it verified): what the blocked threads wait for is the cycle.
		boolean deadlocked = launcher.lastResult().flatMap(RunResult::deadlock).isPresent();
		if (deadlocked) {
			for (Analyzer a : analyzers) {
				if (a instanceof DeadlockAnalyzer d) {
					d.endedInDeadlock(hooks.get().blocked());
				}
			}
		}
		return new Replayed(analyzers, image.get(), hooks.get(), binary, verification, events[0], deadlocked,
				launcher.lastResult(), frames, recordedFrames);
	}

	/**
	 * What one replay left: its analyzers (to finish), the loaded images, the lock hooks (or null), the recorded binary,
	 * the verification (null for a replay stopped early), how many events the analyzers were given, whether it ended in
	 * the recorded actual deadlock, the machine's run (none for a replay stopped early), and the frames it replayed of
	 * the recording's.
	 */
	record Replayed(List<Analyzer> analyzers, GuestImages images, LockHooks hooks, GuestBinary binary,
			String verification, long events, boolean deadlocked, java.util.Optional<RunResult> run, long frames,
			long recordedFrames) {
	}

	/** The call site of every acquisition site of {@code p} (the reports show sites by their first frame). */
	static Set<Long> addresses(LockProfile p) {
		Set<Long> all = new HashSet<>();
		for (LockProfile.Lock l : p.locks()) {
			for (LockProfile.Site s : l.sites()) {
				if (s.stack().depth() > 0) {
					all.add(s.stack().callSite(0));
				}
			}
		}
		return all;
	}

	/** Every return address of every stack in {@code r}, as call sites (one byte before each). */
	static Set<Long> addresses(DeadlockResult r) {
		Set<Long> all = new HashSet<>();
		List<Finding> every = new ArrayList<>(r.findings());
		every.addAll(r.filtered());
		every.addAll(r.actual());
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

	/**
	 * The lines of every address, each by addr2line over the binary it lies in: the program's (embedded in the
	 * recording), or a library's or ld.so's (the provided file, from the recording too) at its own load bias. A
	 * library without DWARF (a distribution's libc) gives the names of its symbols only.
	 */
	private static SourceLines lines(GuestBinary binary, GuestImages images, Set<Long> addresses) throws IOException {
		Map<GuestImages.Image, Set<Long>> byImage = new LinkedHashMap<>();
		GuestImages.Image program = images.images().get(0);
		byImage.put(program, new HashSet<>());
		for (long a : addresses) {
			byImage.computeIfAbsent(images.imageOf(a).orElse(program), k -> new HashSet<>()).add(a);
		}
		SourceLines lines = resolve(binary.bytes(), images.symbols(), images.loaded().bias(), byImage.remove(program));
		for (Map.Entry<GuestImages.Image, Set<Long>> e : byImage.entrySet()) {
			if (e.getKey().elf().section(".debug_line").isPresent()) {
				lines.include(resolve(e.getKey().elf().bytes(), images.symbols(), e.getKey().bias(), e.getValue()));
			}
		}
		return lines;
	}

	private static SourceLines resolve(byte[] elfBytes, SymbolTable symbols, long bias, Set<Long> addresses)
			throws IOException {
		Path elf = Files.createTempFile("insight-analysis-", ".elf",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		try {
			Files.write(elf, elfBytes);
			return SourceLines.resolve(elf, symbols, bias, addresses);
		} finally {
			Files.deleteIfExists(elf);
		}
	}
}
