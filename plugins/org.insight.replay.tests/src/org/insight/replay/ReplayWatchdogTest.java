package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceFixtures;
import org.insight.replay.trace.TraceHeader;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay never runs forever: a guest that stops consuming recorded inputs (it spins, as a hung replay would, with
 * the machine still asking its inputs at each kick) is stopped by the stall limit, one that is merely slow by the time
 * limit, and the error names the frame reached.
 */
class ReplayWatchdogTest {
	@TempDir
	Path dir;

	private Path record() {
		GuestProgram program = new GuestProgram(GuestBinary.of("/opt/toy", "\u007fELF toy".getBytes(),
				Optional.empty()), List.of("toy"), List.of());
		TraceHeader header = TraceHeader.forRecording(program, new RecordingConfig(SyncMode.SYSCALLS,
				Duration.ofMillis(5), OptionalLong.of(3), 64L << 20, Duration.ofMillis(10)));
		Path file = dir.resolve("toy.insight");
		try (RecordSession s = RecordSession.start(file, header, new ScriptedInputs(3, "in".getBytes()),
				new CapturedOutput(), ToyGuest.launcher(2, 20), TraceFixtures.blocksOf(16))) {
			s.run();
		}
		return file;
	}

	/** Runs the toy guest for {@code steps} steps, then spins as a hung guest does: kicked, asking only for landmarks. */
	private static GuestLauncher hangingAfter(int steps, long spinSleepMillis) {
		return (program, config, inputs, output) -> {
			GuestExecution toy = ToyGuest.launcher(2, 20).launch(program, config, inputs, output);
			return new GuestExecution() {
				private int done;

				@Override
				public boolean advance() {
					if (done++ < steps) {
						return toy.advance();
					}
					while (true) {
						inputs.plannedPreemption();
						try {
							Thread.sleep(spinSleepMillis);
						} catch (InterruptedException e) {
							throw new IllegalStateException(e);
						}
					}
				}

				@Override
				public GuestEnding ending() {
					return toy.ending();
				}

				@Override
				public void close() {
					toy.close();
				}
			};
		};
	}

	@Test
	void aStalledReplayIsStoppedAndNamesItsFrame() throws IOException {
		Path trace = record();
		ReplayOptions options = ReplayOptions.onThisHost().withLimits(new ReplayLimits(null, Duration.ofMillis(300)));
		try (ReplaySession s = ReplaySession.open(trace, new CapturedOutput(), hangingAfter(5, 5), options)) {
			DivergenceException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
					() -> assertThrows(DivergenceException.class, s::run));
			long reached = s.frames();
			assertEquals(reached, e.frame());
			assertTrue(e.getMessage().startsWith("replay stopped at frame " + reached + " (thread "), e.getMessage());
			assertTrue(e.getMessage().contains("): no recorded input consumed for 0 seconds (the stall limit is 0.3 s);"
					+ " it does not do what the recording did, or runs far slower than it"), e.getMessage());
		}
	}

	@Test
	void aReplayPastItsTimeLimitIsStopped() throws IOException {
		Path trace = record();
		ReplayOptions options = ReplayOptions.onThisHost().withLimits(new ReplayLimits(Duration.ofMillis(200), null));
		try (ReplaySession s = ReplaySession.open(trace, new CapturedOutput(), hangingAfter(3, 5), options)) {
			DivergenceException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
					() -> assertThrows(DivergenceException.class, s::run));
			assertTrue(e.getMessage().contains(": the replay reached its time limit of 0.2 s"), e.getMessage());
		}
	}

	@Test
	void aReplayWithinItsLimitsVerifies() throws IOException {
		Path trace = record();
		try (ReplaySession s = ReplaySession.open(trace, new CapturedOutput(), ToyGuest.launcher(2, 20),
				ReplayOptions.onThisHost())) {
			s.run();
			assertTrue(s.verification().orElseThrow().startsWith("replay verified"));
		}
	}

	@Test
	void theDefaultsAreGenerousAndGrowWithTheRecording() {
		assertEquals(new ReplayLimits(Duration.ofMinutes(10), Duration.ofMinutes(5)),
				ReplayLimits.forRecording(Duration.ofMillis(300)));
		assertEquals(new ReplayLimits(Duration.ofMinutes(1000), Duration.ofMinutes(500)),
				ReplayLimits.forRecording(Duration.ofMinutes(10)));
		assertEquals(ReplayLimits.forRecording(Duration.ZERO), ReplayLimits.forRecording(Duration.ofNanos(-5)),
				"a damaged duration counts as none");
		ReplayLimits.forRecording(Duration.ofSeconds(Long.MAX_VALUE / 2)); // no overflow
	}

	@Test
	void aLongerTimeLimitRaisesTheStallLimitAndAShorterOneKeepsIt() {
		ReplayOptions o = ReplayOptions.onThisHost();
		Duration recorded = Duration.ofSeconds(1);
		Duration stall = ReplayLimits.forRecording(recorded).stall();
		assertEquals(new ReplayLimits(Duration.ofHours(2), Duration.ofHours(2)), o.withTimeLimit(Duration.ofHours(2))
				.limitsFor(recorded));
		assertEquals(new ReplayLimits(Duration.ofSeconds(30), stall), o.withTimeLimit(Duration.ofSeconds(30))
				.limitsFor(recorded));
		assertEquals(ReplayLimits.forRecording(recorded), o.limitsFor(recorded));
	}
}
