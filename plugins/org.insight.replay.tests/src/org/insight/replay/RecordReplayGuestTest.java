package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.vmm.machine.SyncMode;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceInfo;
import org.insight.symbols.ElfImage;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.GuestManifest.Program;
import org.insight.testsupport.KvmRequirement;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.Chaos;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.SchedulingPolicy;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.RunOptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's acceptance on the real machine: every guest test and sample, glibc and musl, in both sync modes, recorded
 * (round-robin and chaos), then replayed three times; each replay reproduces the recorded stdout byte for byte and the final memory
 * digest, and the session's own verification passes.
 */
class RecordReplayGuestTest {
	static final Duration RECORD_LIMIT = Duration.ofSeconds(120);
	static final int REPLAYS = 3;

	@TempDir
	Path dir;

	@TestFactory
	Stream<DynamicTest> everyGuestRecordsAndReplaysExactly() {
		List<DynamicTest> tests = new ArrayList<>();
		for (Program p : GuestManifest.all()) {
			for (String libc : GuestManifest.LIBCS) {
				for (SyncMode mode : SyncMode.values()) {
					for (Long seed : new Long[] { null, 1L, 2L }) {
						String label = libc + "/" + p.name() + " " + mode.label() + (seed == null ? "" : " chaos "
								+ seed);
						tests.add(DynamicTest.dynamicTest(label, () -> recordAndReplay(libc, p, mode, seed)));
					}
				}
			}
		}
		return tests.stream();
	}

	private void recordAndReplay(String libc, Program p, SyncMode mode, Long seed) throws IOException {
		KvmRequirement.require();
		Path bin = GuestManifest.binary(libc, p.name());
		Path trace = dir.resolve(libc + "-" + p.name() + "-" + mode.label() + "-" + seed + ".insight");
		CapturedOutput recorded = new CapturedOutput();
		GuestOutcome outcome = record(bin, p, mode, seed, trace, recorded);
		assertTrue(p.deadlock() || outcome.exit().status() == p.exitStatus(),
				"recorded exit " + outcome.exit() + " for " + p.name());
		for (int i = 0; i < REPLAYS; i++) {
			CapturedOutput replayed = new CapturedOutput();
			try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
					ReplayOptions.onThisHost())) {
				GuestOutcome again = s.run();
				assertTrue(s.verification().orElseThrow().startsWith("replay verified: "), s.verification().get());
				assertArrayEquals(outcome.memoryDigest(), again.memoryDigest(), "memory digest, replay " + i);
				assertEquals(outcome.exit().status(), again.exit().status(), "exit status, replay " + i);
			}
			assertArrayEquals(recorded.stdout(), replayed.stdout(), "stdout, replay " + i);
			assertArrayEquals(recorded.stderr(), replayed.stderr(), "stderr, replay " + i);
		}
	}

	static GuestOutcome record(Path bin, Program p, Long seed, Path trace, CapturedOutput out) throws IOException {
		return record(bin, p, SyncMode.SYSCALLS, seed, trace, out);
	}

	static GuestOutcome record(Path bin, Program p, SyncMode mode, Long seed, Path trace, CapturedOutput out)
			throws IOException {
		return record(bin, p, mode, seed, trace, out, new VmmLauncher(RECORD_LIMIT));
	}

	static GuestOutcome record(Path bin, Program p, SyncMode mode, Long seed, Path trace, CapturedOutput out,
			VmmLauncher launcher) throws IOException {
		List<String> argv = new ArrayList<>();
		argv.add(bin.toString());
		argv.addAll(p.args());
		StdinSource stdin = p.stdinFile().map(StdinSource::file).orElse(StdinSource.empty());
		RunOptions options = RunOptions.defaults().withArgv(argv).withEnv(p.env()).withSyncMode(mode);
		ElfImage image = ElfImage.read(bin);
		GuestBinary binary = GuestBinary.of(GuestRun.executablePath(bin), image.bytes(), image.buildId());
		RecordingConfig config = new RecordingConfig(mode, options.timeSlice(),
				seed == null ? OptionalLong.empty() : OptionalLong.of(seed), options.memoryCap(),
				options.watchdogPeriod());
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, p.env()), config);
		SchedulingPolicy policy = seed == null ? new RoundRobin(options.timeSlice()) : new Chaos(seed);
		try (LiveInputs live = new LiveInputs(stdin, policy);
				RecordSession s = RecordSession.start(trace, header, live, out, launcher)) {
			return s.run();
		}
	}

	/** Time, randomness and stdin come from the trace: a replay with no stdin, later, prints what was recorded. */
	@Test
	void nondeterministicInputsReplayFromTheTrace() throws IOException {
		KvmRequirement.require();
		for (String name : List.of("stdin", "time", "getrandom")) {
			Program p = GuestManifest.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
			Path trace = dir.resolve(name + ".insight");
			CapturedOutput recorded = new CapturedOutput();
			record(GuestManifest.binary("glibc", name), p, null, trace, recorded);
			CapturedOutput replayed = new CapturedOutput();
			try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
					ReplayOptions.onThisHost())) {
				s.run();
			}
			assertArrayEquals(recorded.stdout(), replayed.stdout(), name);
		}
	}

	/** Two chaos seeds interleave the contended samples differently (the trace statistics tell them apart). */
	@Test
	void twoChaosSeedsGiveDifferentInterleavings() throws IOException {
		KvmRequirement.require();
		for (String name : List.of("prodcons", "bank")) {
			Program p = GuestManifest.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
			Path a = dir.resolve(name + "-a.insight");
			Path b = dir.resolve(name + "-b.insight");
			record(GuestManifest.binary("glibc", name), p, 11L, a, new CapturedOutput());
			record(GuestManifest.binary("glibc", name), p, 12L, b, new CapturedOutput());
			long ha = TraceInfo.read(a).statistics().interleavingHash();
			long hb = TraceInfo.read(b).statistics().interleavingHash();
			assertNotEquals(ha, hb, name + ": seeds 11 and 12 gave the same interleaving");
			assertTrue(Files.size(a) > 0 && Files.size(b) > 0);
		}
	}

	/**
	 * In {@code locks} mode the contended samples stop at their lock calls, chaos switches threads there (inside
	 * critical sections), two seeds interleave differently, and each recording replays exactly.
	 */
	@Test
	void locksModeStopsAtLockCallsAndChaosSwitchesThere() throws IOException {
		KvmRequirement.require();
		for (String libc : GuestManifest.LIBCS) {
			for (String name : List.of("prodcons", "bank", "philosophers")) {
				Program p = GuestManifest.all().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
				long[] hashes = new long[2];
				for (int i = 0; i < 2; i++) {
					Path trace = dir.resolve(libc + "-" + name + "-locks-" + i + ".insight");
					// Two exits per lock call: generous, for slow (nested, emulated) KVM hosts.
					VmmLauncher launcher = new VmmLauncher(RECORD_LIMIT.multipliedBy(5));
					CapturedOutput recorded = new CapturedOutput();
					GuestOutcome outcome = record(GuestManifest.binary(libc, name), p, SyncMode.LOCKS, 21L + i,
							trace, recorded, launcher);
					var stats = launcher.lastResult().orElseThrow().stats();
					String what = libc + "/" + name + " chaos " + (21 + i);
					assertTrue(!org.insight.vmm.machine.RunResult.stoppedFromOutside(outcome.exit().status(),
							outcome.exit().description()), what + ": the recording was " + outcome.exit()
									.description());
					assertTrue(stats.lockCalls().getOrDefault("pthread_mutex_lock", 0L) > 0, what + ": "
							+ stats.format());
					assertTrue(stats.switches(org.insight.vmm.inputs.SyncPoint.Kind.LOCK_CALL) > 0, what
							+ ": chaos never switched at a lock call: " + stats.format());
					hashes[i] = TraceInfo.read(trace).statistics().interleavingHash();
					CapturedOutput replayed = new CapturedOutput();
					try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
							ReplayOptions.onThisHost())) {
						s.run();
						assertTrue(s.verification().orElseThrow().startsWith("replay verified: "), what + ": "
								+ s.verification().get());
					}
					assertArrayEquals(recorded.stdout(), replayed.stdout(), what);
				}
				assertNotEquals(hashes[0], hashes[1], libc + "/" + name + ": seeds 21 and 22 gave one interleaving");
			}
		}
	}
}
