package org.insight.vmm.linux;

/** A {@code struct kernel_sigaction} as rt_sigaction reads and writes it (32 bytes on x86-64). */
public record SignalAction(long handler, long flags, long restorer, long mask) {
	public static final long SIG_DFL = 0;
	public static final long SIG_IGN = 1;
	public static final SignalAction DEFAULT = new SignalAction(SIG_DFL, 0, 0, 0);
	public static final int SIZE = 32;

	public boolean isDefault() {
		return handler == SIG_DFL;
	}

	public boolean isIgnored() {
		return handler == SIG_IGN;
	}
}
