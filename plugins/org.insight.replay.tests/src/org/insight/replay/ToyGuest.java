package org.insight.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.linux.OutputSink;
import org.insight.vmm.linux.Syscalls;
import org.insight.vmm.linux.Termination;

/**
 * A stand-in for the machine, so sessions can be tested without KVM: a few "threads" that each run a fixed number
 * of operations (read a clock, get random bytes, read stdin, write output, be kicked, wait on a futex). Each thread
 * folds every answer it gets into its state, and its state goes into the arguments of its next sync point and into
 * its output. A changed answer therefore shows up in the next question, as it would in a real guest. One
 * {@link #advance()} is one operation and its sync point.
 */
final class ToyGuest implements GuestExecution {
	private final GuestInputs inputs;
	private final OutputSink output;
	private final int opsPerThread;
	private final int stopAfter;
	private boolean cycleDeadlock;
	private final long[] state;
	private final int[] pc;
	private final long[] syncIndex;
	private final boolean[] alive;
	private int current = 1;
	private int steps;
	private GuestEnding ending;
	private boolean extraOutput;

	private ToyGuest(int threads, int opsPerThread, int stopAfter, GuestInputs inputs, OutputSink output) {
		this.inputs = inputs;
		this.output = output;
		this.opsPerThread = opsPerThread;
		this.stopAfter = stopAfter;
		state = new long[threads + 1];
		pc = new int[threads + 1];
		syncIndex = new long[threads + 1];
		alive = new boolean[threads + 1];
		for (int t = 1; t <= threads; t++) {
			state[t] = 0x9E3779B97F4A7C15L * t;
			alive[t] = true;
		}
	}

	static GuestLauncher launcher(int threads, int opsPerThread) {
		return (program, config, inputs, output) -> new ToyGuest(threads, opsPerThread, Integer.MAX_VALUE, inputs,
				output);
	}

	/** A guest that stops (exits at once) after {@code stopAfter} steps: a replay that ends too early. */
	static GuestLauncher stoppingAfter(int threads, int opsPerThread, int stopAfter) {
		return (program, config, inputs, output) -> new ToyGuest(threads, opsPerThread, stopAfter, inputs, output);
	}

	/** A guest that ends after {@code stopAfter} steps as the machine ends a run at a wait-for cycle over mutexes. */
	static GuestLauncher deadlockingAfter(int threads, int opsPerThread, int stopAfter) {
		return (program, config, inputs, output) -> {
			ToyGuest g = new ToyGuest(threads, opsPerThread, stopAfter, inputs, output);
			g.cycleDeadlock = true;
			return g;
		};
	}

	/** A guest that writes one more byte at its end than the recorded one did. */
	static GuestLauncher withExtraOutput(int threads, int opsPerThread) {
		return (program, config, inputs, output) -> {
			ToyGuest g = new ToyGuest(threads, opsPerThread, Integer.MAX_VALUE, inputs, output);
			g.extraOutput = true;
			return g;
		};
	}

	@Override
	public boolean advance() {
		if (ending != null) {
			return false;
		}
		if (steps == 0) {
			mix(1, inputs.random(new RandomRequest(1, 16, RandomRequest.Purpose.AT_RANDOM)));
		}
		if (++steps > stopAfter) {
			return end();
		}
		int t = current;
		int op = pc[t]++ % 6;
		SyncPoint.Kind kind = SyncPoint.Kind.SYSCALL;
		int nr;
		long[] args;
		switch (op) {
		case 0 -> {
			int clock = t % 2 == 0 ? ClockRead.CLOCK_REALTIME : ClockRead.CLOCK_MONOTONIC;
			mix(t, inputs.clockNanos(new ClockRead(t, clock, ClockRead.Purpose.SYSCALL)));
			nr = Syscalls.CLOCK_GETTIME;
			args = new long[] { clock, state[t] };
		}
		case 1 -> {
			mix(t, inputs.random(new RandomRequest(t, 8, RandomRequest.Purpose.GETRANDOM)));
			nr = Syscalls.GETRANDOM;
			args = new long[] { state[t], 8, 0 };
		}
		case 2 -> {
			byte[] buf = new byte[8];
			int n = inputs.readStdin(new StdinRead(t, 8), buf);
			mix(t, n);
			mix(t, buf);
			nr = Syscalls.READ;
			args = new long[] { 0, state[t], 8 };
		}
		case 3 -> {
			int fd = pc[t] % 4 == 0 ? 2 : 1;
			String line = "thread " + t + ": " + Long.toHexString(state[t]) + "\n";
			write(fd, line);
			nr = Syscalls.WRITE;
			args = new long[] { fd, state[t], line.length() };
		}
		case 4 -> {
			List<Integer> others = runnable();
			others.remove(Integer.valueOf(t));
			if (inputs.preempt(new Preemption(t, syncIndex[t], landmark(t), false), others)) {
				kind = SyncPoint.Kind.PREEMPTED;
				nr = -1;
				args = new long[0];
			} else {
				nr = Syscalls.SCHED_YIELD;
				args = new long[0];
				kind = SyncPoint.Kind.YIELD;
			}
		}
		default -> {
			if ((state[t] & 3) == 0) {
				inputs.idle(new IdleWait(t, state[t] & 0xffff));
			}
			nr = Syscalls.FUTEX;
			args = new long[] { state[t] & 0xfffff8, 128, 2, 0, 0, 0 };
		}
		}
		if (pc[t] == opsPerThread) {
			alive[t] = false;
			kind = SyncPoint.Kind.EXITED;
		}
		List<Integer> runnable = runnable();
		if (runnable.isEmpty()) {
			return end();
		}
		int chosen = inputs.schedule(new SyncPoint(t, syncIndex[t]++, kind, nr, args), runnable);
		if (!runnable.contains(chosen)) {
			throw new IllegalStateException("the inputs chose thread " + chosen + " of " + runnable);
		}
		current = chosen;
		return true;
	}

	private boolean end() {
		if (extraOutput) {
			write(1, "!");
		}
		byte[] memory = digest();
		ending = cycleDeadlock ? new GuestEnding(new org.insight.replay.trace.ExitStatus(124, 0,
				"deadlock: threads 1001, 1002 wait for each other's mutexes"), memory)
				: GuestEnding.of(new Termination.Exited((int) (state[1] & 0x7f)), memory);
		return false;
	}

	private List<Integer> runnable() {
		List<Integer> r = new ArrayList<>();
		for (int t = 1; t < alive.length; t++) {
			if (alive[t]) {
				r.add(t);
			}
		}
		return r;
	}

	private Landmark landmark(int t) {
		long[] regs = new long[18];
		for (int i = 0; i < regs.length; i++) {
			regs[i] = state[t] * (i + 1);
		}
		regs[16] = 0x401000 + (state[t] & 0xff0);
		return new Landmark(Regs.fromArray(regs), 0x4c0000 + t, state[t] ^ 0x5555);
	}

	private void write(int fd, String text) {
		byte[] b = text.getBytes(StandardCharsets.UTF_8);
		try {
			output.write(fd, b, 0, b.length);
		} catch (IOException e) {
			throw new UncheckedIOException("toy guest: cannot write to fd " + fd, e);
		}
	}

	private void mix(int t, long v) {
		state[t] = (state[t] ^ v) * 0x100000001b3L + 0x7f4a7c15L;
	}

	private void mix(int t, byte[] bytes) {
		for (byte b : bytes) {
			mix(t, b);
		}
	}

	private byte[] digest() {
		try {
			MessageDigest d = MessageDigest.getInstance("SHA-256");
			ByteBuffer b = ByteBuffer.allocate(8 * state.length);
			for (long s : state) {
				b.putLong(s);
			}
			return d.digest(b.array());
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	@Override
	public GuestEnding ending() {
		if (ending == null) {
			throw new IllegalStateException("the toy guest has not ended");
		}
		return ending;
	}

	@Override
	public void close() {
	}
}
