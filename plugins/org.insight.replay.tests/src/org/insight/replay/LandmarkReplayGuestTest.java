package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.TraceInfo;
import org.insight.replay.trace.TraceStatistics;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.GuestManifest.Program;
import org.insight.testsupport.KvmRequirement;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.RunStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that spins without syscalls can only be preempted by the watchdog, so its recording holds landmarks, and
 * its replays must stop at each of them through the int3 the machine puts there.
 */
class LandmarkReplayGuestTest {
	@TempDir
	Path dir;

	@Test
	void spinwaitRecordsLandmarksAndReplaysThemThreeTimes() throws IOException {
		KvmRequirement.require();
		Program p = GuestManifest.all().stream().filter(x -> x.name().equals("spinwait")).findFirst().orElseThrow();
		long compared = 0;
		for (String libc : GuestManifest.LIBCS) {
			Path trace = dir.resolve(libc + "-spinwait.insight");
			CapturedOutput recorded = new CapturedOutput();
			GuestOutcome outcome = RecordReplayGuestTest.record(GuestManifest.binary(libc, p.name()), p, null, trace,
					recorded);
			assertEquals(p.exitStatus(), outcome.exit().status(), libc + ": recorded exit " + outcome.exit());
			TraceStatistics recordedStats = TraceInfo.read(trace).statistics();
			System.out.printf("%s/spinwait: recorded %d frames, %d watchdog kicks, %d landmarks%n", libc,
					recordedStats.frames(), recordedStats.kicks(), recordedStats.landmarks());
			assertTrue(recordedStats.landmarks() > 0, libc + ": the recording holds no landmark");
			for (int i = 0; i < RecordReplayGuestTest.REPLAYS; i++) {
				Replayed r = replay(trace);
				RunStats stats = r.stats();
				System.out.printf("%s/spinwait replay %d: %s; landmarks %d (by the comparator %d), false hits %d, "
						+ "%.0f us; kicks %d (not preempted %d); comparator refused: %s%n", libc, i, r.verdict(),
						stats.landmarks(), stats.landmarksCompared(), stats.landmarkFalseHits(),
						stats.landmarkNanos() / 1e3, stats.kicks(), stats.kicksDeclined(), stats.comparatorRefusals());
				compared += stats.landmarksCompared();
				assertTrue(r.verdict().startsWith("replay verified: "), r.verdict());
				assertEquals(recordedStats.landmarks(), stats.landmarks(), libc + ": landmarks reached, replay " + i);
				assertArrayEquals(outcome.memoryDigest(), r.outcome().memoryDigest(), "memory digest, replay " + i);
				assertArrayEquals(recorded.stdout(), r.stdout(), libc + ": stdout, replay " + i);
			}
		}
		// spinwait's loops are a load, a compare and a branch: most of their landmarks can be patched
		assertTrue(compared > 0, "no landmark was reached by the landmark comparator");
	}

	/**
	 * bench/counting.c: a spinner whose registers are the same on every pass ({@code while (!done) spins++}, RAX the
	 * flag, 0) and whose progress is only in the global {@code spins}. Its landmarks hold that word, so each replay
	 * stops at the recorded pass and ends verified (before the words, the replay stopped at the first pass with the
	 * landmark's registers, and the final memory digest differed).
	 */
	@Test
	void countingLoopsWhoseProgressIsInAGlobalReplayVerified() throws IOException {
		KvmRequirement.require();
		Program p = new Program(GuestManifest.binary("glibc", "bench-counting").getParent(), "bench-counting", "0",
				"all", "-", java.util.List.of(), java.util.List.of("5000000"));
		replaysVerifiedWithASmallWatchdog(p, "sum 12499997500000\n");
	}

	/**
	 * guest-tests/spinheap.c: the same spinner with its count behind a pointer the loop keeps in a register
	 * ({@code s->count++}): the landmark's words include the word at that register's address.
	 */
	@Test
	void aSpinnerWhoseProgressIsBehindAPointerReplaysVerified() throws IOException {
		KvmRequirement.require();
		Program p = GuestManifest.all().stream().filter(x -> x.name().equals("spinheap")).findFirst().orElseThrow();
		replaysVerifiedWithASmallWatchdog(p, "spinheap: sum 1999999000000\n");
	}

	/** Records {@code p} on each libc with a 2 ms watchdog (many landmarks), replays it once, and wants it verified. */
	private void replaysVerifiedWithASmallWatchdog(Program p, String stdout) throws IOException {
		for (String libc : GuestManifest.LIBCS) {
			Path trace = dir.resolve(libc + "-" + p.name() + ".insight");
			CapturedOutput recorded = new CapturedOutput();
			GuestOutcome outcome = RecordReplayGuestTest.record(GuestManifest.binary(libc, p.name()), p,
					org.insight.vmm.machine.SyncMode.SYSCALLS, null, java.util.Optional.of(java.time.Duration
							.ofMillis(2)), trace, recorded, new VmmLauncher(RecordReplayGuestTest.RECORD_LIMIT));
			assertEquals(0, outcome.exit().status(), libc + ": recorded exit " + outcome.exit());
			assertEquals(stdout, new String(recorded.stdout(), java.nio.charset.StandardCharsets.US_ASCII));
			TraceStatistics recordedStats = TraceInfo.read(trace).statistics();
			System.out.printf("%s/%s %s: recorded %d frames, %d watchdog kicks, %d landmarks%n", libc, p.name(),
					String.join(" ", p.args()), recordedStats.frames(), recordedStats.kicks(), recordedStats.landmarks());
			assertTrue(recordedStats.landmarks() > 0, libc + ": the recording holds no landmark");
			Replayed r = replay(trace);
			RunStats stats = r.stats();
			System.out.printf("%s/%s replay: %s; landmarks %d (by the comparator %d), false hits %d%n", libc,
					p.name(), r.verdict(), stats.landmarks(), stats.landmarksCompared(), stats.landmarkFalseHits());
			assertTrue(r.verdict().startsWith("replay verified: "), libc + ": " + r.verdict());
			assertEquals(recordedStats.landmarks(), stats.landmarks(), libc + ": landmarks reached");
			assertArrayEquals(outcome.memoryDigest(), r.outcome().memoryDigest(), libc + ": memory digest");
			assertArrayEquals(recorded.stdout(), r.stdout(), libc + ": stdout");
		}
	}

	/** One replay of {@code trace} on this host, in this JVM: its outcome, verdict, statistics and stdout. */
	private record Replayed(GuestOutcome outcome, String verdict, RunStats stats, byte[] stdout) {
	}

	private static Replayed replay(Path trace) throws IOException {
		CapturedOutput replayed = new CapturedOutput();
		VmmLauncher launcher = new VmmLauncher(null);
		GuestOutcome again;
		String verdict;
		try (ReplaySession s = ReplaySession.open(trace, replayed, launcher, ReplayOptions.onThisHost())) {
			again = s.run();
			verdict = s.verification().orElseThrow();
		}
		return new Replayed(again, verdict, launcher.lastResult().orElseThrow().stats(), replayed.stdout());
	}
}
