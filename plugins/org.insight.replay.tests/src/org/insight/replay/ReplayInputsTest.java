package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.insight.kvm.Regs;
import org.insight.replay.trace.ClockFrame;
import org.insight.replay.trace.Frame;
import org.insight.replay.trace.IdleFrame;
import org.insight.replay.trace.PreemptFrame;
import org.insight.replay.trace.RandomFrame;
import org.insight.replay.trace.ScheduleFrame;
import org.insight.replay.trace.StdinFrame;
import org.insight.replay.trace.TraceFixtures;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.TscRead;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.junit.jupiter.api.Test;

class ReplayInputsTest {
	private static final SyncPoint FUTEX_WAIT = new SyncPoint(3, 57, SyncPoint.Kind.SYSCALL, 202,
			new long[] { 0x4c6f00, 0, 2, 0, 0, 0 });
	private static final SyncPoint WRITE = new SyncPoint(3, 57, SyncPoint.Kind.SYSCALL, 1,
			new long[] { 1, 0x7ffd5a3c1e40L, 12, 0, 0, 0 });

	@Test
	void aRecordedChoiceOfAThreadThatIsNotRunnableNamesItsFrame() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new ScheduleFrame(WRITE, List.of(3, 4), 3),
				new ScheduleFrame(FUTEX_WAIT, List.of(3, 4), 9)));
		assertEquals(3, inputs.schedule(WRITE, List.of(3, 4)));
		DivergenceException e = assertThrows(DivergenceException.class, () -> inputs.schedule(FUTEX_WAIT,
				List.of(3, 4)));
		assertEquals(1, e.frame());
		assertTrue(e.getMessage().startsWith("frame 1 (thread 3, sync point 57): the recording chose thread 9, which"
				+ " is not one of the runnable threads [3, 4]; the trace is damaged"), e.getMessage());
	}

	/** Asks each frame's own question and returns the answers, as the machine would. */
	private static List<Object> askAll(ReplayInputs inputs, List<Frame> frames) {
		List<Object> answers = new ArrayList<>();
		for (Frame f : frames) {
			switch (f) {
			case ClockFrame c -> answers.add(inputs.clockNanos(c.question()));
			case RandomFrame r -> answers.add(HexFormat.of().formatHex(inputs.random(r.question())));
			case StdinFrame s -> {
				byte[] dst = new byte[s.question().maxBytes()];
				int n = inputs.readStdin(s.question(), dst);
				answers.add(n + ":" + new String(dst, 0, Math.max(n, 0)));
			}
			case ScheduleFrame s -> answers.add(inputs.schedule(s.question(), s.runnable()));
			case PreemptFrame p -> {
				if (p.preempted()) {
					assertEquals(Optional.of(p.question()), inputs.plannedPreemption());
					answers.add(inputs.preempt(p.question(), p.otherRunnable()));
				}
			}
			case IdleFrame i -> inputs.idle(i.question());
			case org.insight.replay.trace.TscFrame t -> answers.add(inputs.tsc(t.question()));
			case org.insight.replay.trace.OutputFrame o -> answers.add(inputs.outputResult(o.question(),
					o.question().length()));
			}
		}
		return answers;
	}

	@Test
	void aRecordedSequenceIsAnsweredAsRecorded() {
		List<Frame> frames = TraceFixtures.everyKind();
		ReplayInputs inputs = new ReplayInputs(frames);
		List<Object> answers = askAll(inputs, frames);
		assertEquals(Optional.empty(), inputs.leftOver());
		assertEquals(frames.size(), inputs.framesConsumed());
		assertEquals(1, inputs.landmarksReached());

		RandomFrame atRandom = (RandomFrame) frames.get(0);
		assertEquals(HexFormat.of().formatHex(atRandom.bytes()), answers.get(0));
		assertEquals("", answers.get(1));
		assertEquals(1_700_000_000_123_456_789L, answers.get(2));
		assertEquals("5:hello", answers.get(5));
		assertEquals("0:", answers.get(6));
		assertEquals("-5:", answers.get(7));
		assertEquals(1001, answers.get(8));
		assertEquals(true, answers.get(13));
	}

	@Test
	void aDifferentSyscallNamesTheFrameAndEveryDifferingField() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(
				new ClockFrame(new ClockRead(3, 1, ClockRead.Purpose.SYSCALL), 5),
				new ScheduleFrame(FUTEX_WAIT, List.of(3, 4), 4)));
		inputs.clockNanos(new ClockRead(3, 1, ClockRead.Purpose.SYSCALL));
		DivergenceException e = assertThrows(DivergenceException.class, () -> inputs.schedule(WRITE, List.of(3, 4)));
		assertEquals("frame 1 (thread 3, sync point 57): expected futex(0x4c6f00, FUTEX_WAIT, 2), got write(1,"
				+ " 0x7ffd5a3c1e40, 12); differing fields: syscall (expected futex, got write), arg0 (expected"
				+ " 0x4c6f00, got 1), arg1 (expected 0, got 0x7ffd5a3c1e40), arg2 (expected 2, got 12)",
				e.getMessage());
		assertEquals(1, e.frame());
		assertEquals(4, e.differences().size());
	}

	@Test
	void anotherThreadAndKindAreListedToo() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new ScheduleFrame(FUTEX_WAIT, List.of(3), 3)));
		SyncPoint asked = new SyncPoint(4, 56, SyncPoint.Kind.BLOCKED, 202, new long[] { 0x4c6f00, 128, 2, 0, 0, 0 });
		DivergenceException e = assertThrows(DivergenceException.class, () -> inputs.schedule(asked, List.of(3)));
		assertEquals(List.of("thread (expected 3, got 4)", "sync point index (expected 57, got 56)",
				"kind (expected SYSCALL, got BLOCKED)", "arg1 (expected 0, got 128)"), e.differences());
		assertTrue(e.getMessage().contains("got futex(0x4c6f00, FUTEX_WAIT_PRIVATE, 2) [blocked]"), e.getMessage());
	}

	@Test
	void aQuestionOfAnotherKindIsADivergence() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(
				new ScheduleFrame(FUTEX_WAIT, List.of(3), 3),
				new ClockFrame(new ClockRead(3, ClockRead.CLOCK_REALTIME, ClockRead.Purpose.SYSCALL), 1)));
		inputs.schedule(FUTEX_WAIT, List.of(3));
		DivergenceException e = assertThrows(DivergenceException.class,
				() -> inputs.random(new RandomRequest(3, 16, RandomRequest.Purpose.GETRANDOM)));
		assertEquals("frame 1 (thread 3, after sync point 57): expected clock_gettime(CLOCK_REALTIME), got"
				+ " getrandom(16 bytes); differing fields: question (expected clock read, got random request)",
				e.getMessage());
	}

	@Test
	void aTscReadIsAnsweredFromTheTraceAndItsInstructionAndThreadAreVerified() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(
				new org.insight.replay.trace.TscFrame(new TscRead(3, TscRead.Instruction.RDTSC), 5_000_000_000L),
				new org.insight.replay.trace.TscFrame(new TscRead(3, TscRead.Instruction.RDTSCP), 5_000_000_100L),
				new org.insight.replay.trace.TscFrame(new TscRead(4, TscRead.Instruction.RDTSC), 5_000_000_200L)));
		assertEquals(5_000_000_000L, inputs.tsc(new TscRead(3, TscRead.Instruction.RDTSC)));
		DivergenceException e = assertThrows(DivergenceException.class,
				() -> inputs.tsc(new TscRead(3, TscRead.Instruction.RDTSC)));
		assertEquals("frame 1 (thread 3, before its first sync point): expected rdtscp, got rdtsc; differing fields:"
				+ " instruction (expected rdtscp, got rdtsc)", e.getMessage());
		ReplayInputs other = new ReplayInputs(List.<Frame>of(
				new org.insight.replay.trace.TscFrame(new TscRead(4, TscRead.Instruction.RDTSC), 1)));
		e = assertThrows(DivergenceException.class, () -> other.tsc(new TscRead(3, TscRead.Instruction.RDTSC)));
		assertTrue(e.getMessage().contains("thread (expected 4, got 3)"), e.getMessage());
		e = assertThrows(DivergenceException.class, () -> new ReplayInputs(List.<Frame>of(new ClockFrame(
				new ClockRead(3, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.SYSCALL), 1))).tsc(new TscRead(3,
						TscRead.Instruction.RDTSC)));
		assertTrue(e.getMessage().endsWith("question (expected clock read, got TSC read)"), e.getMessage());
	}

	@Test
	void otherRunnableThreadsAreADivergence() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new ScheduleFrame(FUTEX_WAIT, List.of(3, 4), 4)));
		DivergenceException e = assertThrows(DivergenceException.class,
				() -> inputs.schedule(FUTEX_WAIT, List.of(3)));
		assertEquals(List.of("runnable threads (expected [3, 4], got [3])"), e.differences());
	}

	@Test
	void aClockOrStdinQuestionWithOtherFieldsIsADivergence() {
		ReplayInputs clock = new ReplayInputs(List.<Frame>of(
				new ClockFrame(new ClockRead(1, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT), 9)));
		DivergenceException e = assertThrows(DivergenceException.class,
				() -> clock.clockNanos(new ClockRead(1, ClockRead.CLOCK_REALTIME, ClockRead.Purpose.SYSCALL)));
		assertEquals(List.of("clock (expected CLOCK_MONOTONIC, got CLOCK_REALTIME)",
				"purpose (expected TIMEOUT, got SYSCALL)"), e.differences());

		ReplayInputs stdin = new ReplayInputs(List.<Frame>of(
				new StdinFrame(new StdinRead(1, 10), 2, new byte[] { 'h', 'i' })));
		e = assertThrows(DivergenceException.class, () -> stdin.readStdin(new StdinRead(1, 4096), new byte[4096]));
		assertEquals("frame 0 (thread 1, before its first sync point): expected read(0, ..., 10), got read(0, ...,"
				+ " 4096); differing fields: read size (expected 10, got 4096)", e.getMessage());
	}

	@Test
	void askingPastTheEndIsADivergence() {
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new ScheduleFrame(FUTEX_WAIT, List.of(3), 3)));
		inputs.schedule(FUTEX_WAIT, List.of(3));
		DivergenceException e = assertThrows(DivergenceException.class,
				() -> inputs.readStdin(new StdinRead(7, 10), new byte[10]));
		assertEquals("frame 1: expected the end of the recording (it holds 1 frames), got read(0, ..., 10) by"
				+ " thread 7", e.getMessage());
		assertEquals(1, e.frame());
	}

	@Test
	void kicksThatDidNotPreemptAreSkippedAndOtherKicksGoOn() {
		Preemption recordedNo = new Preemption(3, 5, TraceFixtures.landmark(1), false);
		Preemption recordedYes = new Preemption(3, 5, TraceFixtures.landmark(2), false);
		SyncPoint preempted = new SyncPoint(3, 5, SyncPoint.Kind.PREEMPTED, -1, new long[0]);
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(
				new PreemptFrame(recordedNo, List.of(4), false),
				new PreemptFrame(recordedYes, List.of(4), true),
				new ScheduleFrame(preempted, List.of(3, 4), 4)));
		assertEquals(Optional.of(recordedYes), inputs.plannedPreemption());
		assertEquals(1, inputs.framesConsumed(), "the kick that did not preempt is behind us");
		assertFalse(inputs.preempt(recordedNo, List.of(4)), "a kick elsewhere goes on");
		assertEquals(1, inputs.kicksIgnored());
		assertTrue(inputs.preempt(recordedYes, List.of(4)));
		assertEquals(Optional.empty(), inputs.plannedPreemption());
		assertEquals(4, inputs.schedule(preempted, List.of(3, 4)));
		assertEquals(Optional.empty(), inputs.leftOver());
		assertEquals(3, inputs.framesConsumed());
	}

	@Test
	void aMissedLandmarkListsTheRegistersThatKeptItFromMatching() {
		Landmark recorded = TraceFixtures.landmark(2);
		Regs other = recorded.regs();
		other.rax += 1;
		other.r12 = 0;
		Preemption planned = new Preemption(3, 5, recorded, false);
		Preemption nearly = new Preemption(3, 5, new Landmark(other, recorded.fsBase(), recorded.stackDigest()), false);
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new PreemptFrame(planned, List.of(4), true)));
		assertFalse(inputs.preempt(nearly, List.of(4)));
		assertFalse(inputs.preempt(nearly, List.of(4)));
		SyncPoint futex = new SyncPoint(3, 5, SyncPoint.Kind.SYSCALL, 202, new long[] { 0x4c6f00, 0, 2 });
		DivergenceException e = assertThrows(DivergenceException.class, () -> inputs.schedule(futex, List.of(3, 4)));
		String message = e.getMessage();
		assertTrue(message.startsWith(String.format("frame 0 (thread 3, sync point 5): expected watchdog kick at rip"
				+ " 0x%x after 5 sync points, got futex(0x4c6f00, FUTEX_WAIT, 2); differing fields: question (expected"
				+ " watchdog kick, got sync point); the thread reached the landmark's rip 2 times without its recorded"
				+ " state, the last time with: rax (expected 0x", recorded.rip())), message);
		assertTrue(message.contains(", r12 (expected 0x"), message);
		assertTrue(message.endsWith(", got 0x0)"), message);
	}

	@Test
	void aMissedLandmarkInMemoryListsTheWordsThatKeptItFromMatching() {
		Landmark recorded = TraceFixtures.withWords(TraceFixtures.landmark(2));
		Preemption planned = new Preemption(3, 5, recorded, false);
		// the same registers and stack, the first word another value, the second unreadable on this pass
		Preemption nearly = new Preemption(3, 5, new Landmark(recorded.regs(), recorded.fsBase(), recorded
				.stackDigest(), List.of(new Landmark.Word(0x4bb310, 9))), false);
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new PreemptFrame(planned, List.of(4), true)));
		assertFalse(inputs.preempt(nearly, List.of(4)));
		SyncPoint futex = new SyncPoint(3, 5, SyncPoint.Kind.SYSCALL, 202, new long[] { 0x4c6f00, 0, 2 });
		DivergenceException e = assertThrows(DivergenceException.class, () -> inputs.schedule(futex, List.of(3, 4)));
		assertTrue(e.getMessage().endsWith("the thread reached the landmark's rip 1 times without its recorded state,"
				+ " the last time with: memory at 0x4bb310 (expected 0xfffffffffffffffe, got 0x9), memory at"
				+ " 0x7fffffffeff8 (expected 0x8000000000000000, got unreadable)"), e.getMessage());
	}

	@Test
	void whatIsLeftAtTheEndIsNamed() {
		ReplayInputs inputs = new ReplayInputs(TraceFixtures.everyKind());
		RandomFrame first = (RandomFrame) TraceFixtures.everyKind().get(0);
		inputs.random(first.question());
		assertEquals(Optional.of("the recording goes on with 20 more frames, from frame 1 (thread 1001, before its"
				+ " first sync point): getrandom(0 bytes)"), inputs.leftOver());
	}

	/**
	 * A recording piped into {@code head}: the host refused output write 2 with EPIPE. The replay, whose own host
	 * takes everything, gives the guest the whole length at writes 0 and 1 and EPIPE at write 2.
	 */
	@Test
	void aRefusedOutputWriteIsRefusedAgainAtTheSameWriteOnly() {
		var w0 = new org.insight.vmm.inputs.OutputWrite(3, 1, 12, 0);
		var w1 = new org.insight.vmm.inputs.OutputWrite(3, 1, 12, 1);
		var w2 = new org.insight.vmm.inputs.OutputWrite(3, 1, 12, 2);
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new org.insight.replay.trace.OutputFrame(w2, -32),
				new ScheduleFrame(WRITE, List.of(3), 3)));
		assertEquals(12, inputs.outputResult(w0, 12));
		assertEquals(12, inputs.outputResult(w1, -32), "the replay's own host result does not count");
		assertEquals(-32, inputs.outputResult(w2, 12));
		assertEquals(3, inputs.schedule(WRITE, List.of(3)));
		assertEquals(Optional.empty(), inputs.leftOver());
	}

	@Test
	void aRefusedWriteThatTheReplayPassesByIsADivergence() {
		var w2 = new org.insight.vmm.inputs.OutputWrite(3, 1, 12, 2);
		var w3 = new org.insight.vmm.inputs.OutputWrite(3, 2, 7, 3);
		ReplayInputs inputs = new ReplayInputs(List.<Frame>of(new org.insight.replay.trace.OutputFrame(w2, -32)));
		DivergenceException e = assertThrows(DivergenceException.class, () -> inputs.outputResult(w3, 7));
		assertEquals("frame 0 (thread 3, before its first sync point): expected write(1, ..., 12), output write 2,"
				+ " got write(2, ..., 7), output write 3; differing fields: output write (expected 2, got 3), fd"
				+ " (expected 1, got 2), length (expected 12, got 7)", e.getMessage());
	}

	/** A recording stopped at its wall-clock limit ends where its inputs end: no divergence, no endless replay. */
	@Test
	void pastTheEndOfAStoppedRecordingTheReplayEnds() {
		ReplayInputs stopped = new ReplayInputs(List.<Frame>of(new ScheduleFrame(WRITE, List.of(3), 3)))
				.stoppedRecording(true);
		assertEquals(3, stopped.schedule(WRITE, List.of(3)));
		RecordingExhaustedException e = assertThrows(RecordingExhaustedException.class,
				() -> stopped.schedule(FUTEX_WAIT, List.of(3)));
		assertEquals(1, e.frames());
		Preemption kick = new Preemption(3, 58, TraceFixtures.landmark(1), false);
		assertThrows(RecordingExhaustedException.class, () -> stopped.preempt(kick, List.of()),
				"a spinning guest past the end is stopped at its next kick");

		ReplayInputs whole = new ReplayInputs(List.<Frame>of(new ScheduleFrame(WRITE, List.of(3), 3)));
		whole.schedule(WRITE, List.of(3));
		assertThrows(DivergenceException.class, () -> whole.schedule(FUTEX_WAIT, List.of(3)));
		assertEquals(false, whole.preempt(kick, List.of()), "a kick past the end of a whole recording goes on");
	}
}
