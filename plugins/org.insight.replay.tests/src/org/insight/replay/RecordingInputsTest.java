package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.insight.replay.trace.ClockFrame;
import org.insight.replay.trace.Frame;
import org.insight.replay.trace.IdleFrame;
import org.insight.replay.trace.PreemptFrame;
import org.insight.replay.trace.RandomFrame;
import org.insight.replay.trace.ScheduleFrame;
import org.insight.replay.trace.StdinFrame;
import org.insight.replay.trace.TraceFixtures;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.linux.CapturedOutput;
import org.junit.jupiter.api.Test;

class RecordingInputsTest {
	@Test
	void eachAnswerIsRecordedWithItsQuestion() {
		List<Frame> frames = new ArrayList<>();
		RecordingInputs inputs = new RecordingInputs(new ScriptedInputs(4, "hello".getBytes()), frames::add);
		ClockRead clock = new ClockRead(1, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.SYSCALL);
		long now = inputs.clockNanos(clock);
		RandomRequest request = new RandomRequest(1, 16, RandomRequest.Purpose.AT_RANDOM);
		byte[] random = inputs.random(request);
		StdinRead read = new StdinRead(1, 3);
		byte[] dst = new byte[3];
		int n = inputs.readStdin(read, dst);
		SyncPoint point = new SyncPoint(1, 0, SyncPoint.Kind.SYSCALL, 0, new long[] { 0, 0x1000, 3 });
		List<Integer> runnable = new ArrayList<>(List.of(1, 2));
		int chosen = inputs.schedule(point, runnable);
		Preemption kick = new Preemption(1, 1, TraceFixtures.landmark(3), true);
		boolean preempted = inputs.preempt(kick, List.of(2));
		IdleWait idle = new IdleWait(2, 99);
		inputs.idle(idle);

		assertEquals(3, n);
		assertEquals(List.of(new ClockFrame(clock, now), new RandomFrame(request, random),
				new StdinFrame(read, 3, "hel".getBytes()), new ScheduleFrame(point, List.of(1, 2), chosen),
				new PreemptFrame(kick, List.of(2), preempted), new IdleFrame(idle)), frames);
		assertEquals(6, inputs.frames());
	}

	@Test
	void onlyTheOutputWritesTheHostRefusedAreRecorded() {
		List<Frame> frames = new ArrayList<>();
		RecordingInputs inputs = new RecordingInputs(new ScriptedInputs(1, new byte[0]), frames::add);
		var accepted = new org.insight.vmm.inputs.OutputWrite(1, 1, 10, 0);
		var refused = new org.insight.vmm.inputs.OutputWrite(1, 1, 10, 1);
		assertEquals(10, inputs.outputResult(accepted, 10));
		assertEquals(-32, inputs.outputResult(refused, -32));
		assertEquals(List.of(new org.insight.replay.trace.OutputFrame(refused, -32)), frames);
	}

	@Test
	void aQuestionTheLiveInputsFailToAnswerIsNotRecorded() {
		List<Frame> frames = new ArrayList<>();
		GuestInputs failing = new ScriptedInputs(1, new byte[0]) {
			@Override
			public long clockNanos(ClockRead read) {
				throw new IllegalArgumentException("live inputs: unknown clock id 99");
			}
		};
		RecordingInputs inputs = new RecordingInputs(failing, frames::add);
		assertThrows(IllegalArgumentException.class,
				() -> inputs.clockNanos(new ClockRead(1, 99, ClockRead.Purpose.SYSCALL)));
		assertEquals(List.of(), frames);
	}

	@Test
	void aToyGuestRecordedOverScriptedInputsReplaysTheSameAnswers() {
		List<Frame> frames = new ArrayList<>();
		CapturedOutput recorded = new CapturedOutput();
		GuestExecution recording = ToyGuest.launcher(3, 40).launch(null, null,
				new RecordingInputs(new ScriptedInputs(8, "some input".getBytes()), frames::add), recorded);
		while (recording.advance()) {
			// step to the end
		}
		CapturedOutput replayed = new CapturedOutput();
		ReplayInputs inputs = new ReplayInputs(frames);
		GuestExecution replay = ToyGuest.launcher(3, 40).launch(null, null, inputs, replayed);
		while (replay.advance()) {
			// step to the end
		}
		assertEquals(recorded.stdoutText(), replayed.stdoutText());
		assertArrayEquals(recorded.stderr(), replayed.stderr());
		assertEquals(recording.ending(), replay.ending());
		assertEquals(Optional.empty(), inputs.leftOver());
		assertTrue(frames.size() > 120, frames.size() + " frames");
	}

	@Test
	void theHostsLiveInputsReplayWithTheRecordedTimeRandomnessAndStdin() throws IOException, InterruptedException {
		List<Frame> frames = new ArrayList<>();
		List<Object> recordedAnswers;
		try (LiveInputs live = new LiveInputs(StdinSource.of("recorded stdin".getBytes(StandardCharsets.UTF_8)),
				new RoundRobin(Duration.ofMillis(1)))) {
			recordedAnswers = askHost(new RecordingInputs(live, frames::add));
		}
		Thread.sleep(5); // the replay runs later, and the host's clocks have moved on
		List<Object> replayedAnswers = askHost(new ReplayInputs(frames));
		assertEquals(recordedAnswers, replayedAnswers);
		assertEquals("recorded stdin", recordedAnswers.get(3));
	}

	private static List<Object> askHost(GuestInputs inputs) {
		List<Object> answers = new ArrayList<>();
		answers.add(inputs.clockNanos(new ClockRead(1, ClockRead.CLOCK_REALTIME, ClockRead.Purpose.SYSCALL)));
		answers.add(inputs.clockNanos(new ClockRead(1, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT)));
		answers.add(HexFormat.of().formatHex(inputs.random(new RandomRequest(1, 32, RandomRequest.Purpose.GETRANDOM))));
		byte[] dst = new byte[100];
		int n = inputs.readStdin(new StdinRead(1, 100), dst);
		answers.add(new String(dst, 0, n, StandardCharsets.UTF_8));
		answers.add(inputs.schedule(new SyncPoint(1, 0, SyncPoint.Kind.SYSCALL, 0, new long[] { 0, 0, 100 }),
				List.of(1, 2, 3)));
		answers.add(inputs.schedule(new SyncPoint(2, 0, SyncPoint.Kind.YIELD, 24, new long[0]), List.of(1, 2, 3)));
		return answers;
	}
}
