package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.insight.replay.trace.ClockFrame;
import org.insight.replay.trace.Frame;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.HostCpu;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.ScheduleFrame;
import org.insight.vmm.machine.SyncMode;
import org.insight.replay.trace.TraceCorruptException;
import org.insight.replay.trace.TraceFixtures;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceInfo;
import org.insight.replay.trace.TraceReader;
import org.insight.replay.trace.TraceTrailer;
import org.insight.replay.trace.TraceWriteException;
import org.insight.replay.trace.TraceWriter;
import org.insight.vmm.linux.CapturedOutput;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record and replay sessions over the toy guest: everything but the real machine. */
class SessionTest {
	private static final int THREADS = 3;
	private static final int OPS = 60;

	@TempDir
	Path dir;

	private Path trace;
	private CapturedOutput recordedOutput;
	private GuestOutcome recorded;
	private byte[] binary;

	private TraceHeader header(long chaosSeed) {
		binary = "\u007fELF toy guest".getBytes();
		GuestProgram program = new GuestProgram(GuestBinary.of("/opt/toy", binary, Optional.empty()),
				List.of("toy", "-n", "3"), List.of("HOME=/"));
		// Not forRecording: no CPUID table (the toy guest runs on no machine), so the CPU check is the same on every host
		return new TraceHeader(Instant.now(), program, new RecordingConfig(SyncMode.SYSCALLS, Duration.ofMillis(5),
				OptionalLong.of(chaosSeed), 64L << 20, Duration.ofMillis(10)), HostCpu.current());
	}

	private Path record(String name, long seed) {
		Path file = dir.resolve(name);
		recordedOutput = new CapturedOutput();
		try (RecordSession s = RecordSession.start(file, header(seed), new ScriptedInputs(seed, "stdin bytes".getBytes()),
				recordedOutput, ToyGuest.launcher(THREADS, OPS), TraceFixtures.blocksOf(64))) {
			recorded = s.run();
			assertTrue(s.finished());
			assertEquals(recorded, s.trailer().orElseThrow().outcome());
		}
		return file;
	}

	@BeforeEach
	void recordOnce() {
		trace = record("toy.insight", 17);
	}

	private ReplaySession replay(Path file, GuestLauncher launcher, CapturedOutput output) throws IOException {
		return ReplaySession.open(file, output, launcher, ReplayOptions.onThisHost());
	}

	@Test
	void aRecordingReplaysThreeTimesWithTheSameOutputAndMemory() throws IOException {
		long frames;
		try (TraceReader r = TraceReader.open(trace)) {
			frames = r.frameCount();
			assertTrue(r.complete());
			assertTrue(frames > 200, frames + " frames");
		}
		for (int i = 0; i < 3; i++) {
			CapturedOutput output = new CapturedOutput();
			try (ReplaySession s = replay(trace, ToyGuest.launcher(THREADS, OPS), output)) {
				GuestOutcome replayed = s.run();
				assertEquals(recorded, replayed);
				assertEquals(Optional.of("replay verified: " + frames + " frames, outputs and memory digests match"),
						s.verification());
				assertEquals(frames, s.frames());
				assertEquals(frames, s.recordedFrames());
				assertEquals(s.trailer().statistics().landmarks(), s.inputs().landmarksReached());
			}
			assertEquals(recordedOutput.stdoutText(), output.stdoutText());
			assertArrayEquals(recordedOutput.stderr(), output.stderr());
		}
		assertFalse(recordedOutput.stdoutText().isEmpty());
		assertFalse(recordedOutput.stderrText().isEmpty());
	}

	@Test
	void sessionsAdvanceOneStopAtATime() throws IOException {
		try (ReplaySession s = replay(trace, ToyGuest.launcher(THREADS, OPS), new CapturedOutput())) {
			long running = 0;
			while (s.step() == Session.Status.RUNNING) {
				running++;
				assertFalse(s.finished());
			}
			// One step per operation; the step that sees the last thread exit finishes.
			assertEquals(THREADS * OPS - 1, running);
			assertEquals(THREADS * OPS, s.steps());
			assertTrue(s.finished());
			assertEquals(Session.Status.FINISHED, s.step(), "a finished session stays finished");
		}
	}

	@Test
	void chaosSeedsGiveDifferentInterleavingsAndEachReplays() throws IOException {
		Path other = record("other.insight", 99);
		long a = TraceInfo.read(trace).statistics().interleavingHash();
		long b = TraceInfo.read(other).statistics().interleavingHash();
		assertNotEquals(a, b);
		try (ReplaySession s = replay(other, ToyGuest.launcher(THREADS, OPS), new CapturedOutput())) {
			s.run();
			assertTrue(s.verification().isPresent());
		}
	}

	@Test
	void anAlteredClockValueIsCaughtAtTheNextQuestion() throws IOException {
		long index = firstFrame(ClockFrame.class);
		TraceFixtures.rewriteFrame(trace, index, f -> new ClockFrame(((ClockFrame) f).question(),
				((ClockFrame) f).nanos() + 1));
		try (ReplaySession s = replay(trace, ToyGuest.launcher(THREADS, OPS), new CapturedOutput())) {
			DivergenceException e = assertThrows(DivergenceException.class, s::run);
			// The toy guest passes its state, which the clock value changed, as the sync point's second argument.
			assertEquals(index + 1, e.frame());
			assertEquals(1, e.differences().size());
			assertTrue(e.differences().get(0).startsWith("arg1 (expected 0x"), e.differences().toString());
			assertTrue(e.getMessage().startsWith("frame " + (index + 1) + " (thread "), e.getMessage());
			assertThrows(IllegalStateException.class, s::step, "a diverged session cannot go on");
		}
	}

	@Test
	void anAlteredSchedulingDecisionIsCaught() throws IOException {
		long index = -1;
		ScheduleFrame original = null;
		try (TraceReader r = TraceReader.open(trace)) {
			long i = 0;
			for (Frame f : r.frames()) {
				if (f instanceof ScheduleFrame sf && sf.runnable().size() > 1) {
					index = i;
					original = sf;
					break;
				}
				i++;
			}
		}
		ScheduleFrame changed = original;
		int other = changed.runnable().stream().filter(t -> t != changed.chosen()).findFirst().orElseThrow();
		TraceFixtures.rewriteFrame(trace, index, f -> new ScheduleFrame(changed.question(), changed.runnable(), other));
		try (ReplaySession s = replay(trace, ToyGuest.launcher(THREADS, OPS), new CapturedOutput())) {
			DivergenceException e = assertThrows(DivergenceException.class, s::run);
			assertTrue(e.frame() > index, e.getMessage());
			assertTrue(e.getMessage().startsWith("frame " + e.frame() + " (thread "), e.getMessage());
		}
	}

	@Test
	void aFlippedBitIsACorruptBlockNotAReplay() throws IOException {
		long offset;
		try (TraceReader r = TraceReader.open(trace)) {
			offset = r.blocks().get(1).offset();
		}
		TraceFixtures.flipBit(trace, offset + 30, 4);
		try (ReplaySession s = replay(trace, ToyGuest.launcher(THREADS, OPS), new CapturedOutput())) {
			TraceCorruptException e = assertThrows(TraceCorruptException.class, s::run);
			assertEquals(1, e.blockIndex());
			assertEquals(offset, e.offset());
		}
	}

	@Test
	void differentOutputAtTheEndIsADivergence() throws IOException {
		try (ReplaySession s = replay(trace, ToyGuest.withExtraOutput(THREADS, OPS), new CapturedOutput())) {
			DivergenceException e = assertThrows(DivergenceException.class, s::run);
			assertEquals(1, e.differences().size());
			assertTrue(e.getMessage().startsWith("replay diverged at its end, after " + s.recordedFrames() + " of "
					+ s.recordedFrames() + " frames: stdout differs (recorded " + recorded.stdout().bytes()
					+ " bytes, sha256 " + recorded.stdout().hex() + ", replayed " + (recorded.stdout().bytes() + 1)
					+ " bytes, sha256 "), e.getMessage());
			assertEquals(Optional.empty(), s.verification());
		}
	}

	@Test
	void aReplayThatEndsEarlyNamesWhatTheRecordingStillHolds() throws IOException {
		try (ReplaySession s = replay(trace, ToyGuest.stoppingAfter(THREADS, OPS, 20), new CapturedOutput())) {
			DivergenceException e = assertThrows(DivergenceException.class, s::run);
			assertTrue(e.differences().get(0).startsWith("the recording goes on with "), e.getMessage());
			assertTrue(e.differences().stream().anyMatch(d -> d.startsWith("final memory digest differs")),
					e.getMessage());
		}
	}

	/** A recording made before runs ended at a wait-for cycle, replayed now: the divergence says why. */
	@Test
	void aReplayThatEndsAtAWaitForCycleBeforeTheRecordingDidSaysTheRecordingPredatesTheCheck() throws IOException {
		try (ReplaySession s = replay(trace, ToyGuest.deadlockingAfter(THREADS, OPS, 20), new CapturedOutput())) {
			DivergenceException e = assertThrows(DivergenceException.class, s::run);
			assertTrue(e.differences().get(0).startsWith("the recording goes on with "), e.getMessage());
			assertTrue(e.differences().get(1).startsWith("the replay ended where threads deadlocked over mutexes and"
					+ " the recording went on: it was made by an InSight that did not yet end a run at such a cycle"),
					e.getMessage());
		}
		try (ReplaySession s = replay(trace, ToyGuest.stoppingAfter(THREADS, OPS, 20), new CapturedOutput())) {
			DivergenceException e = assertThrows(DivergenceException.class, s::run);
			assertTrue(e.differences().stream().noneMatch(d -> d.contains("deadlocked over mutexes")), e.getMessage());
		}
	}

	@Test
	void anotherCpuModelIsRefused() {
		HostCpu elsewhere = new HostCpu("GenuineIntel", "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 6, 106, 6);
		ReplayRefusedException e = assertThrows(ReplayRefusedException.class, () -> ReplaySession.open(trace,
				new CapturedOutput(), ToyGuest.launcher(THREADS, OPS), new ReplayOptions(elsewhere, Optional.empty())));
		assertEquals("cannot replay " + trace + ": it was recorded on " + HostCpu.current().describe() + ", but this"
				+ " host is Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (GenuineIntel family 6 model 106 stepping"
				+ " 6); the guest sees the CPU through CPUID (glibc picks its code by it), so a replay needs the same"
				+ " CPU model", e.getMessage());
	}

	@Test
	void anotherBinaryIsRefusedAndTheRecordedOneAccepted() throws IOException {
		Path same = Files.write(dir.resolve("toy"), binary);
		Path rebuilt = Files.write(dir.resolve("toy-rebuilt"), "\u007fELF toy guest, rebuilt".getBytes());
		ReplayRefusedException e = assertThrows(ReplayRefusedException.class, () -> ReplaySession.open(trace,
				new CapturedOutput(), ToyGuest.launcher(THREADS, OPS), ReplayOptions.onThisHost().withBinary(rebuilt)));
		String recordedSha = TraceInfo.read(trace).header().program().binary().sha256();
		assertTrue(e.getMessage().startsWith("cannot replay " + trace + ": it was recorded with /opt/toy (sha256 "
				+ recordedSha + "), but " + rebuilt + " has sha256 "), e.getMessage());
		try (ReplaySession s = ReplaySession.open(trace, new CapturedOutput(), ToyGuest.launcher(THREADS, OPS),
				ReplayOptions.onThisHost().withBinary(same))) {
			s.run();
			assertTrue(s.verification().isPresent());
		}
	}

	@Test
	void aRecordingCutShortIsReadableButNotReplayable() throws IOException {
		Path cut = dir.resolve("cut.insight");
		try (RecordSession s = RecordSession.start(cut, header(5), new ScriptedInputs(5, new byte[0]),
				new CapturedOutput(), ToyGuest.launcher(THREADS, OPS), TraceFixtures.blocksOf(16))) {
			for (int i = 0; i < 50; i++) {
				assertEquals(Session.Status.RUNNING, s.step());
			}
			assertEquals(Optional.empty(), s.trailer());
		}
		TraceInfo info = TraceInfo.read(cut);
		assertFalse(info.complete());
		assertTrue(info.statistics().frames() >= 50, info.render());
		ReplayRefusedException e = assertThrows(ReplayRefusedException.class,
				() -> replay(cut, ToyGuest.launcher(THREADS, OPS), new CapturedOutput()));
		assertTrue(e.getMessage().startsWith("cannot replay " + cut + ": the recording is incomplete (it ends after "),
				e.getMessage());
	}

	@Test
	void theTrailerHoldsTheOutcomeAndStatistics() throws IOException {
		TraceInfo info = TraceInfo.read(trace);
		TraceTrailer t = info.trailer().orElseThrow();
		assertEquals(recorded, t.outcome());
		assertEquals(recordedOutput.stdout().length, t.outcome().stdout().bytes());
		assertEquals(THREADS, t.statistics().threads());
		// One sync point per operation of the toy guest, except its very last, which ends the run.
		assertEquals(THREADS * OPS - 1, t.statistics().syncPoints());
		assertTrue(t.statistics().landmarks() > 0 && t.statistics().landmarks() < t.statistics().kicks(),
				info.render());
		assertEquals(t.statistics(), info.statistics());
		assertTrue(info.render().contains("state        complete"), info.render());
	}

	private long firstFrame(Class<? extends Frame> type) throws IOException {
		try (TraceReader r = TraceReader.open(trace)) {
			long i = 0;
			for (Frame f : r.frames()) {
				if (type.isInstance(f)) {
					return i;
				}
				i++;
			}
		}
		throw new AssertionError("no " + type.getSimpleName() + " in " + trace);
	}

	@Test
	void recordingRefusesAnUnwritableTraceBeforeLaunching() {
		Path nowhere = dir.resolve("missing-dir").resolve("x.insight");
		boolean[] launched = { false };
		assertThrows(TraceWriteException.class, () -> RecordSession.start(nowhere, header(1),
				new ScriptedInputs(1, new byte[0]), new CapturedOutput(), (p, c, i, o) -> {
					launched[0] = true;
					return null;
				}, TraceWriter.Options.DEFAULT));
		assertFalse(launched[0]);
	}
}
