package org.insight.vmm.linux;

/** The six syscall argument registers, in order: rdi, rsi, rdx, r10, r8, r9. */
public record SyscallArgs(long a0, long a1, long a2, long a3, long a4, long a5) {
	public static SyscallArgs of(long... args) {
		long[] a = new long[6];
		System.arraycopy(args, 0, a, 0, Math.min(args.length, 6));
		return new SyscallArgs(a[0], a[1], a[2], a[3], a[4], a[5]);
	}

	public long[] toArray() {
		return new long[] { a0, a1, a2, a3, a4, a5 };
	}

	/** The int the kernel sees for argument {@code i} (file descriptors, flags, clock ids are C ints). */
	public int intArg(int i) {
		return (int) toArray()[i];
	}
}
