package org.insight.vmm.sched;

import java.util.List;

/**
 * One guest thread in a deadlock or hang report: where it is, what it waits for, and who called it.
 *
 * @param futexAddress the futex word a FUTEX_WAIT thread waits on (0 otherwise)
 * @param futexName    that address described with the symbol table ("lock_a", "0x7f00001234"); for an IO_WAIT
 *                     thread, the call it is blocked in ("read(3: pipe)")
 * @param callers      return addresses found on its stack, innermost first
 */
public record ThreadReport(int tid, ThreadState state, long rip, String function, long futexAddress,
		String futexName, List<String> callers) {
	/** How many callers a report lists per thread. */
	public static final int CALLERS = 6;

	public ThreadReport {
		callers = List.copyOf(callers);
	}

	/** The report of {@code t} from its saved registers. */
	public static ThreadReport of(GuestThread t, StackScan scan) {
		long rip = t.regs().rip;
		boolean waiting = t.state() == ThreadState.FUTEX_WAIT;
		String waitsFor = waiting ? scan.describe(t.futexAddress())
				: t.state() == ThreadState.IO_WAIT ? t.ioWait().describe() : "";
		return new ThreadReport(t.tid(), t.state(), rip, scan.describe(rip), waiting ? t.futexAddress() : 0,
				waitsFor, scan.callers(t.regs().rsp, CALLERS));
	}

	/** "thread 1001 futex_wait(0x4c6f00 = lock_b) at rip 0x401234 (__lll_lock_wait+0x1c) <- take+0x31". */
	public String format() {
		StringBuilder s = new StringBuilder("thread ").append(tid).append(' ');
		switch (state) {
		case FUTEX_WAIT -> s.append(String.format("futex_wait(0x%x = %s)", futexAddress, futexName));
		case SLEEP -> s.append("sleeping");
		case IO_WAIT -> s.append("blocked in ").append(futexName);
		case RUNNABLE -> s.append("runnable");
		case DEAD -> s.append("exited");
		}
		s.append(String.format(" at rip 0x%x (%s)", rip, function));
		for (String c : callers) {
			s.append(" <- ").append(c);
		}
		return s.toString();
	}
}
