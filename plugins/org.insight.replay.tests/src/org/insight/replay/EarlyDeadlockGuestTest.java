package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.insight.replay.trace.GuestOutcome;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.GuestManifest.Program;
import org.insight.testsupport.KvmRequirement;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.machine.SyncMode;
import org.insight.vmm.sched.DeadlockReport;
import org.insight.vmm.sched.ThreadReport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 9 on the real machine: guest-tests/deadlockpoll.c deadlocks two workers over two mutexes while main
 * keeps running (polling with nanosleep, or waiting in pthread_timedjoin_np with a timeout). The recording must end as
 * a deadlock when the cycle closes, long before its wall-clock limit: status 124, the two workers named with the
 * mutex each waits for and its holder, each blocked in its worker function, main apart; and its replay must end there
 * too, verified, with the same report. Error-checking mutexes (their lock word names the owner, both libcs) in both
 * sync modes; default mutexes in locks mode (musl's lock word does not name their owner: the lock calls do) and, for
 * glibc, in syscalls mode.
 */
class EarlyDeadlockGuestTest {
	/**
	 * Far above what the run needs, far below the nested machine's per-guest limit: a run that reached it would be
	 * the polling main never ending, i.e. the cycle missed.
	 */
	static final Duration RECORD_LIMIT = Duration.ofSeconds(Math.min(120, Long.getLong("insight.guestLimitSeconds",
			120)));

	@TempDir
	Path dir;

	private record Case(String libc, String args, SyncMode mode, long seed) {
		String label() {
			return libc + "/deadlockpoll" + (args.isEmpty() ? "" : " " + args) + " " + mode.label() + " chaos " + seed;
		}
	}

	@TestFactory
	Stream<DynamicTest> theCycleEndsTheRunAndItsReplayWhileMainStillRuns() {
		List<Case> cases = new ArrayList<>();
		for (String libc : GuestManifest.LIBCS) {
			// Each case takes seconds, even on nested KVM under TCG: the run ends as the cycle closes.
			cases.add(new Case(libc, "", SyncMode.SYSCALLS, 1));
			cases.add(new Case(libc, "", SyncMode.LOCKS, 4));
			cases.add(new Case(libc, "normal", SyncMode.LOCKS, 2));
			cases.add(new Case(libc, "timedjoin", SyncMode.SYSCALLS, 3));
			cases.add(new Case(libc, "timedjoin", SyncMode.LOCKS, 5));
			if (libc.equals("glibc")) {
				cases.add(new Case(libc, "normal", SyncMode.SYSCALLS, 6));
			}
		}
		return cases.stream().map(c -> DynamicTest.dynamicTest(c.label(), () -> recordAndReplay(c)));
	}

	private void recordAndReplay(Case c) throws IOException {
		KvmRequirement.require();
		Program manifest = GuestManifest.all().stream().filter(p -> p.name().equals("deadlockpoll")).findFirst()
				.orElseThrow();
		Program p = new Program(manifest.folder(), manifest.name(), manifest.exit(), manifest.compare(),
				manifest.stdin(), manifest.env(), c.args().isEmpty() ? List.of() : List.of(c.args()));
		Path trace = dir.resolve(c.label().replaceAll("[^A-Za-z0-9]+", "-") + ".insight");
		CapturedOutput recorded = new CapturedOutput();
		VmmLauncher recorder = new VmmLauncher(RECORD_LIMIT);
		GuestOutcome outcome = RecordReplayGuestTest.record(GuestManifest.binary(c.libc(), "deadlockpoll"), p, c.mode(),
				c.seed(), trace, recorded, recorder);
		RunResult run = recorder.lastResult().orElseThrow();
		String why = c.label() + ": " + run.format();
		assertEquals(RunResult.STOPPED_STATUS, outcome.exit().status(), why);
		assertTrue(outcome.exit().description().startsWith("deadlock: threads 1001, 1002 wait for each other's"),
				why);
		assertCycle(run.deadlock().orElseThrow(), why);
		assertEquals(Files.readString(p.expected()), recorded.stdoutText(), why);

		CapturedOutput replayed = new CapturedOutput();
		VmmLauncher replayer = new VmmLauncher(null);
		try (ReplaySession s = ReplaySession.open(trace, replayed, replayer, ReplayOptions.onThisHost())) {
			GuestOutcome again = s.run();
			assertTrue(s.verification().orElseThrow().startsWith("replay verified: "), s.verification().get());
			assertEquals(outcome.exit().status(), again.exit().status(), why);
			assertArrayEquals(outcome.memoryDigest(), again.memoryDigest(), why);
		}
		DeadlockReport again = replayer.lastResult().orElseThrow().deadlock().orElseThrow();
		assertEquals(run.deadlock().get().cycle(), again.cycle(), "the replay's cycle");
		assertArrayEquals(recorded.stdout(), replayed.stdout(), why);
		System.out.println("== " + c.label() + ": " + run.format());
	}

	/**
	 * Threads 1001 (the clerk) and 1002 (the auditor), each waiting for the mutex the other holds, blocked in its own
	 * function; main (1000) not in the cycle.
	 */
	private static void assertCycle(DeadlockReport r, String why) {
		assertTrue(r.isCycle(), why);
		assertEquals(List.of(1001, 1002), r.threads().stream().map(ThreadReport::tid).sorted().toList(), why);
		assertEquals(List.of(1000), r.others().stream().map(ThreadReport::tid).toList(), why);
		assertEquals(Set.of("journal_lock", "ledger_lock"), r.cycle().stream().map(DeadlockReport.Wait::mutexName)
				.collect(Collectors.toSet()), why);
		for (DeadlockReport.Wait w : r.cycle()) {
			int other = w.waiter() == 1001 ? 1002 : 1001;
			assertEquals(other, w.owner(), why);
			assertEquals(w.waiter() == 1001 ? "journal_lock" : "ledger_lock", w.mutexName(), why);
		}
		for (int i = 0; i < r.threads().size(); i++) {
			ThreadReport t = r.threads().get(i);
			assertEquals(r.cycle().get(i).waiter(), t.tid(), why);
			String worker = t.tid() == 1001 ? "clerk+" : "auditor+";
			assertTrue(t.callers().stream().anyMatch(f -> f.startsWith(worker)), worker + " among the callers: " + why);
		}
		String text = r.format();
		assertTrue(text.contains("deadlock: a wait-for cycle of 2 threads over 2 mutexes, which none of them can"
				+ " leave (1 other thread not in it)"), text);
		assertTrue(text.contains("  not in the cycle:\n    thread 1000 "), text);
	}
}
