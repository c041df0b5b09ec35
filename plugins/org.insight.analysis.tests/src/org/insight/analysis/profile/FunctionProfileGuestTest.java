package org.insight.analysis.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.report.ProfileTextReport;
import org.insight.analysis.source.SourceLocation;
import org.insight.replay.RecordSession;
import org.insight.replay.ReplayOptions;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceHeader;
import org.insight.symbols.ElfImage;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.KvmRequirement;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact function profile on a real replay (guest-tests/calls.c, glibc and musl): every call count the program
 * counted itself, the caller-to-callee counts its source makes true (recursion, a tail call, a longjmp out of a
 * recursion, a thread ending four calls deep), each function at its file:line, with the lock hooks on the same replay,
 * which still verifies; then again with calls.c's functions alone hooked.
 */
class FunctionProfileGuestTest {
	private static final Duration LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));
	private static final Pattern COUNT = Pattern.compile("(?m)^calls (\\w+) (\\d+)$");

	@TempDir
	Path dir;

	@Test
	void callCountsAreTheProgramsOwnOnBothLibcs() throws IOException {
		KvmRequirement.require();
		for (String libc : GuestManifest.LIBCS) {
			Path bin = GuestManifest.binary(libc, "calls");
			Path trace = dir.resolve(libc + "-calls.insight");
			CapturedOutput recorded = new CapturedOutput();
			GuestOutcome outcome = record(bin, trace, recorded);
			assertEquals(0, outcome.exit().status(), libc + ": recorded exit " + outcome.exit());
			String stdout = new String(recorded.stdout(), StandardCharsets.UTF_8);
			Map<String, Long> counted = new LinkedHashMap<>();
			for (Matcher m = COUNT.matcher(stdout); m.find();) {
				counted.put(m.group(1), Long.parseLong(m.group(2)));
			}
			assertEquals(List.of("fib", "tail_a", "tail_b", "deep", "jumper", "stop_here", "worker"), new ArrayList<>(
					counted.keySet()), stdout);

			AnalysisResult r = ReplayAnalysis.run(trace, new CapturedOutput(), ReplayOptions.onThisHost(),
					List.of("deadlocks", "functions"));
			assertTrue(r.verification().startsWith("replay verified"), r.verification());
			assertEquals(List.of("deadlocks/1", "functions/2"), r.analyzers());
			FunctionProfile p = r.functions();
			StringWriter text = new StringWriter();
			ProfileTextReport.write(p, r.lines(), new PrintWriter(text));
			System.out.println(libc + "/calls: " + r.verification() + "\n" + text);

			for (Map.Entry<String, Long> c : counted.entrySet()) {
				assertEquals(c.getValue(), function(p, c.getKey()).calls(), libc + ": calls of " + c.getKey());
			}
			assertEquals(1, function(p, "main").calls(), libc + ": calls of main");
			// fib(12) and fib(10) recurse 464 and 176 times; main and worker call each once
			assertEquals(640, edge(p, "fib", "fib"), libc);
			assertEquals(640, function(p, "fib").recursiveCalls(), libc);
			assertEquals(1, edge(p, "main", "fib"), libc);
			assertEquals(1, edge(p, "worker", "fib"), libc);
			// tail_a jumps to tail_b: its callee all the same, as in the source and in Callgrind
			assertEquals(3, edge(p, "main", "tail_a"), libc);
			assertEquals(3, edge(p, "tail_a", "tail_b"), libc);
			// deep(5) .. deep(0) are left by longjmp: none returns
			assertEquals(1, edge(p, "jumper", "deep"), libc);
			assertEquals(5, edge(p, "deep", "deep"), libc);
			assertEquals(6, function(p, "deep").unreturned(), libc);
			assertEquals(0, function(p, "jumper").unreturned(), libc + ": jumper returns after the longjmp");
			// stop_here(3) .. stop_here(0) end with their thread
			assertEquals(1, edge(p, "worker", "stop_here"), libc);
			assertEquals(3, edge(p, "stop_here", "stop_here"), libc);
			assertEquals(4, function(p, "stop_here").unreturned(), libc);
			assertEquals(1, function(p, "worker").unreturned(), libc);
			assertEquals(0, function(p, "fib").unreturned(), libc);

			List<String> source = Files.readAllLines(GuestManifest.root().resolve("guest-tests/calls.c"));
			for (String f : List.of("fib", "tail_a", "deep", "stop_here")) {
				SourceLocation.Frame at = r.lines().at(function(p, f).address()).top();
				assertTrue(at.file() != null && at.file().endsWith("calls.c"), libc + ": " + f + " at " + at);
				// gcc puts a function's entry at its opening brace (the prologue), or at its first statement when it
				// has no prologue (tail_a: an add, then the jump)
				int declared = declaration(source, f);
				assertTrue(at.line() == declared + 1 || at.line() == declared + 2, libc + ": " + f + " declared at line "
						+ declared + ", its entry at " + at.fileLine());
			}

			// Only calls.c's functions: the same counts, with none of libc's hooks
			AnalysisResult own = ReplayAnalysis.run(trace, new CapturedOutput(), ReplayOptions.onThisHost(),
					List.of("functions"), FunctionScope.inFiles(List.of("calls.c")));
			assertTrue(own.verification().startsWith("replay verified"), own.verification());
			FunctionProfile q = own.functions();
			assertEquals(Set.of("main", "fib", "tail_a", "tail_b", "deep", "jumper", "stop_here", "worker"), Set.copyOf(q
					.names().values()), libc + ": the functions hooked");
			for (Map.Entry<String, Long> c : counted.entrySet()) {
				assertEquals(c.getValue(), function(q, c.getKey()).calls(), libc + ": calls of " + c.getKey()
						+ " with calls.c's functions only");
			}
			assertEquals(640, edge(q, "fib", "fib"), libc);
			assertEquals(3, edge(q, "tail_a", "tail_b"), libc);
			assertEquals(5, edge(q, "deep", "deep"), libc);
			assertEquals(1, edge(q, "", "worker"), libc + ": worker is a thread's first hooked frame");
		}
	}

	private static int declaration(List<String> source, String function) {
		for (int i = 0; i < source.size(); i++) {
			if (source.get(i).startsWith("NOINLINE static") && source.get(i).contains(" " + function + "(")) {
				return i + 1;
			}
		}
		throw new AssertionError(function + " not declared in calls.c");
	}

	private static FunctionProfile.Function function(FunctionProfile p, String name) {
		return p.functions().stream().filter(f -> p.name(f.address()).equals(name)).findFirst().orElseThrow(
				() -> new AssertionError(name + " was never called in the profile"));
	}

	private static long edge(FunctionProfile p, String caller, String callee) {
		return p.edges().stream().filter(e -> (caller.isEmpty() ? e.caller() == FunctionProfile.ROOT : p.name(e
				.caller()).equals(caller)) && p.name(e.callee()).equals(callee))
				.mapToLong(FunctionProfile.CallEdge::calls).sum();
	}

	private static GuestOutcome record(Path bin, Path trace, CapturedOutput out) throws IOException {
		List<String> argv = List.of(bin.toString());
		RunOptions options = RunOptions.defaults().withArgv(argv).withEnv(List.of()).withSyncMode(SyncMode.SYSCALLS);
		ElfImage image = ElfImage.read(bin);
		GuestBinary binary = GuestBinary.of(GuestRun.executablePath(bin), image.bytes(), image.buildId());
		RecordingConfig config = new RecordingConfig(SyncMode.SYSCALLS, options.timeSlice(), OptionalLong.empty(),
				options.memoryCap(), options.watchdogPeriod());
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of()), config);
		try (LiveInputs live = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()));
				RecordSession s = RecordSession.start(trace, header, live, out, new VmmLauncher(LIMIT))) {
			return s.run();
		}
	}
}
