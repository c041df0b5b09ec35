package org.insight.replay;

import java.util.List;
import java.util.Random;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;

/**
 * Live inputs for tests: deterministic for a seed, so that two recordings with the same seed are equal, and
 * chaotic in scheduling, so that seeds give different interleavings.
 */
class ScriptedInputs implements GuestInputs {
	private final Random random;
	private final byte[] stdin;
	private int stdinPos;
	private long clock = 1_000_000;
	private int calls;

	ScriptedInputs(long seed, byte[] stdin) {
		this.random = new Random(seed);
		this.stdin = stdin.clone();
	}

	/** Questions answered so far. */
	int calls() {
		return calls;
	}

	@Override
	public long clockNanos(ClockRead read) {
		calls++;
		clock += 1000 + random.nextInt(1000);
		return read.clockId() == ClockRead.CLOCK_REALTIME ? 1_700_000_000_000_000_000L + clock : clock;
	}

	@Override
	public long tsc(org.insight.vmm.inputs.TscRead read) {
		calls++;
		clock += 1000 + random.nextInt(1000);
		return 2 * clock;
	}

	@Override
	public byte[] random(RandomRequest request) {
		calls++;
		byte[] b = new byte[request.length()];
		random.nextBytes(b);
		return b;
	}

	@Override
	public int readStdin(StdinRead read, byte[] dst) {
		calls++;
		int n = Math.min(read.maxBytes(), stdin.length - stdinPos);
		System.arraycopy(stdin, stdinPos, dst, 0, n);
		stdinPos += n;
		return n;
	}

	@Override
	public long outputResult(org.insight.vmm.inputs.OutputWrite write, long hostResult) {
		return hostResult;
	}

	@Override
	public int schedule(SyncPoint point, List<Integer> runnable) {
		calls++;
		return runnable.get(random.nextInt(runnable.size()));
	}

	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		calls++;
		return !otherRunnable.isEmpty() && random.nextInt(3) == 0;
	}

	@Override
	public void idle(IdleWait wait) {
		calls++;
	}
}
