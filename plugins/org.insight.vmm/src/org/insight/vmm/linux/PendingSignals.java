package org.insight.vmm.linux;

import java.util.ArrayDeque;

/**
 * Signals generated and not yet delivered, for one thread or for the whole process (Linux's {@code sigpending}):
 * a mask, bit n-1 for signal n, and the siginfo of each. A standard signal (below SIGRTMIN) already pending is not
 * queued again; real-time signals queue, each with its own siginfo.
 */
final class PendingSignals {
	static final int SIGRTMIN = 32;
	/** The signals Linux takes first (its SYNCHRONOUS_MASK): faults before anything else. */
	static final long SYNCHRONOUS = SignalCalls.bit(Signals.SIGSEGV) | SignalCalls.bit(Signals.SIGBUS)
			| SignalCalls.bit(Signals.SIGILL) | SignalCalls.bit(Signals.SIGTRAP) | SignalCalls.bit(Signals.SIGFPE)
			| SignalCalls.bit(Signals.SIGSYS);

	private long mask;
	@SuppressWarnings("unchecked")
	private final ArrayDeque<byte[]>[] infos = new ArrayDeque[Signals.MAX + 1];

	long mask() {
		return mask;
	}

	/** Adds {@code signal} with its siginfo; a standard signal already pending stays as it was. */
	void add(int signal, byte[] info) {
		long bit = SignalCalls.bit(signal);
		if ((mask & bit) != 0 && signal < SIGRTMIN) {
			return;
		}
		mask |= bit;
		if (infos[signal] == null) {
			infos[signal] = new ArrayDeque<>();
		}
		infos[signal].add(info);
	}

	/** The signal Linux's next_signal picks among {@code allowed}: a synchronous one first, then the lowest; 0 if none. */
	int next(long allowed) {
		long ready = mask & allowed;
		if (ready == 0) {
			return 0;
		}
		long sync = ready & SYNCHRONOUS;
		return Long.numberOfTrailingZeros(sync != 0 ? sync : ready) + 1;
	}

	/** Takes one instance of {@code signal} (which is pending) and returns its siginfo. */
	byte[] take(int signal) {
		ArrayDeque<byte[]> q = infos[signal];
		byte[] info = q.poll();
		if (q.isEmpty()) {
			mask &= ~SignalCalls.bit(signal);
		}
		return info;
	}

	/** Forgets every instance of {@code signal} (its action became ignore). */
	void discard(int signal) {
		mask &= ~SignalCalls.bit(signal);
		if (infos[signal] != null) {
			infos[signal].clear();
		}
	}
}
