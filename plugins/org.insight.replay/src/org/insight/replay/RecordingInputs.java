package org.insight.replay;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.insight.replay.trace.ClockFrame;
import org.insight.replay.trace.Frame;
import org.insight.replay.trace.FrameSink;
import org.insight.replay.trace.IdleFrame;
import org.insight.replay.trace.OutputFrame;
import org.insight.replay.trace.PreemptFrame;
import org.insight.replay.trace.RandomFrame;
import org.insight.replay.trace.ScheduleFrame;
import org.insight.replay.trace.StdinFrame;
import org.insight.replay.trace.TscFrame;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.OutputWrite;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.inputs.TscRead;

/**
 * Inputs that ask live inputs and append each question with its answer to a trace, after the answer is known and
 * before the guest sees it. A question the live inputs fail to answer is not recorded.
 */
public final class RecordingInputs implements GuestInputs {
	private final GuestInputs live;
	private final FrameSink sink;
	private final java.util.function.BooleanSupplier full;
	private long frames;

	public RecordingInputs(GuestInputs live, FrameSink sink) {
		this(live, sink, () -> false);
	}

	/** @param full whether the trace can take no more (its size limit): the machine then stops the guest */
	public RecordingInputs(GuestInputs live, FrameSink sink, java.util.function.BooleanSupplier full) {
		this.live = Objects.requireNonNull(live, "live");
		this.sink = Objects.requireNonNull(sink, "sink");
		this.full = Objects.requireNonNull(full, "full");
	}

	@Override
	public boolean atCapacity() {
		return full.getAsBoolean();
	}

	@Override
	public long clockNanos(ClockRead read) {
		long nanos = live.clockNanos(read);
		append(new ClockFrame(read, nanos));
		return nanos;
	}

	@Override
	public long tsc(TscRead read) {
		long tsc = live.tsc(read);
		append(new TscFrame(read, tsc));
		return tsc;
	}

	@Override
	public byte[] random(RandomRequest request) {
		byte[] bytes = live.random(request);
		append(new RandomFrame(request, bytes));
		return bytes;
	}

	@Override
	public int readStdin(StdinRead read, byte[] dst) {
		int result = live.readStdin(read, dst);
		append(new StdinFrame(read, result, result > 0 ? Arrays.copyOf(dst, result) : new byte[0]));
		return result;
	}

	/** Only a write the host refused is kept: accepted writes are the rule, and a replay assumes them. */
	@Override
	public long outputResult(OutputWrite write, long hostResult) {
		long result = live.outputResult(write, hostResult);
		if (result != write.length()) {
			append(new OutputFrame(write, result));
		}
		return result;
	}

	@Override
	public int schedule(SyncPoint point, List<Integer> runnable) {
		List<Integer> asked = List.copyOf(runnable); // as asked, whatever the policy does to the list
		int chosen = live.schedule(point, runnable);
		append(new ScheduleFrame(point, asked, chosen));
		return chosen;
	}

	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		List<Integer> asked = List.copyOf(otherRunnable);
		boolean preempted = live.preempt(point, otherRunnable);
		// a kick that preempted nothing is skipped by a replay: its landmark's memory words would only take room
		Preemption stored = preempted || point.landmark().words().isEmpty() ? point : new Preemption(point.tid(),
				point.syncIndex(), new Landmark(point.landmark().regs(), point.landmark().fsBase(), point.landmark()
						.stackDigest()), point.timersPending());
		append(new PreemptFrame(stored, asked, preempted));
		return preempted;
	}

	/** The live inputs' plan (live inputs decide at the kick, so none): a recording plans nothing of its own. */
	@Override
	public Optional<Preemption> plannedPreemption() {
		return live.plannedPreemption();
	}

	@Override
	public org.insight.vmm.inputs.LockCallCountdown lockCallCountdown() {
		return live.lockCallCountdown();
	}

	@Override
	public void idle(IdleWait wait) {
		live.idle(wait);
		append(new IdleFrame(wait));
	}

	/** Frames recorded so far. */
	public long frames() {
		return frames;
	}

	private void append(Frame frame) {
		sink.append(frame);
		frames++;
	}
}
