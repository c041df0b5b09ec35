package org.insight.vmm.sched;

import java.util.Objects;

import org.insight.kvm.Regs;

/**
 * One guest thread: its id, its state, and the context the machine switches on the single vCPU (general registers,
 * XSAVE area, FS base), plus what Linux keeps per thread (clear_child_tid, robust list, signal mask) and what it
 * waits for.
 * <p>
 * While the thread is on the vCPU, the vCPU holds its live registers; {@link #regs()} is the copy the machine saved
 * at the last exit, and the copy it loads when the thread resumes. So a waker sets the woken thread's RAX here.
 */
public final class GuestThread {
	/** No deadline: the thread waits until woken. */
	public static final long NO_DEADLINE = Long.MAX_VALUE;

	private final int tid;
	private ThreadState state = ThreadState.RUNNABLE;
	private Regs regs;
	private byte[] xsave;
	private long fsBase;
	private long clearChildTid;
	private long robustListHead;
	private byte[] name;
	private long signalMask;
	private long altStackSp;
	private long altStackSize;
	private int altStackFlags = 2; // SS_DISABLE
	private long syncPoints;
	private int exitCode;

	// What a blocked thread waits for.
	private long futexAddress;
	private int futexBitset;
	private long deadline = NO_DEADLINE;
	private long timeoutResult;
	private IoWait ioWait;

	GuestThread(int tid, Regs regs, byte[] xsave, long fsBase) {
		this.tid = tid;
		this.regs = Objects.requireNonNull(regs, "regs").copy();
		this.xsave = xsave == null ? null : xsave.clone();
		this.fsBase = fsBase;
	}

	public int tid() {
		return tid;
	}

	public ThreadState state() {
		return state;
	}

	void state(ThreadState s) {
		state = s;
	}

	public boolean isAlive() {
		return state != ThreadState.DEAD;
	}

	public boolean isBlocked() {
		return state == ThreadState.FUTEX_WAIT || state == ThreadState.SLEEP || state == ThreadState.IO_WAIT;
	}

	/** The saved registers (the live object: the machine and wakers edit it in place). */
	public Regs regs() {
		return regs;
	}

	/** Replaces the saved registers with a copy of {@code r} (the machine does this at each exit). */
	public void saveRegs(Regs r) {
		regs = r.copy();
	}

	/** The saved XSAVE area, or null while the vCPU's own state belongs to this thread and was never saved. */
	public byte[] xsave() {
		return xsave;
	}

	public void saveXsave(byte[] area) {
		xsave = area;
	}

	public long fsBase() {
		return fsBase;
	}

	public void fsBase(long base) {
		fsBase = base;
	}

	public long clearChildTid() {
		return clearChildTid;
	}

	public void clearChildTid(long address) {
		clearChildTid = address;
	}

	public long robustListHead() {
		return robustListHead;
	}

	public void robustListHead(long head) {
		robustListHead = head;
	}

	/**
	 * The thread's name (prctl PR_SET_NAME, /proc's comm): at most 15 bytes, as Linux keeps it; null until the thread
	 * or the one that created it set one (then it is the executable's name).
	 */
	public byte[] name() {
		return name == null ? null : name.clone();
	}

	public void name(byte[] n) {
		name = n == null ? null : java.util.Arrays.copyOf(n, Math.min(n.length, 15));
	}

	public long signalMask() {
		return signalMask;
	}

	public void signalMask(long mask) {
		signalMask = mask;
	}

	public long altStackSp() {
		return altStackSp;
	}

	public long altStackSize() {
		return altStackSize;
	}

	public int altStackFlags() {
		return altStackFlags;
	}

	public void altStack(long sp, long size, int flags) {
		altStackSp = sp;
		altStackSize = size;
		altStackFlags = flags;
	}

	/** How many sync points this thread has passed: the index of its next one. */
	public long syncPoints() {
		return syncPoints;
	}

	long nextSyncIndex() {
		return syncPoints++;
	}

	public int exitCode() {
		return exitCode;
	}

	void exitCode(int code) {
		exitCode = code;
	}

	/** The futex word a {@link ThreadState#FUTEX_WAIT} thread waits on. */
	public long futexAddress() {
		return futexAddress;
	}

	void futexAddress(long address) {
		futexAddress = address;
	}

	public int futexBitset() {
		return futexBitset;
	}

	void futexBitset(int bitset) {
		futexBitset = bitset;
	}

	/** What an {@link ThreadState#IO_WAIT} thread waits for; null otherwise. */
	public IoWait ioWait() {
		return ioWait;
	}

	void ioWait(IoWait w) {
		ioWait = w;
	}

	/** When a blocked thread's wait ends by itself, on the guest's CLOCK_MONOTONIC; {@link #NO_DEADLINE} if never. */
	public long deadline() {
		return deadline;
	}

	void deadline(long d) {
		deadline = d;
	}

	public boolean hasDeadline() {
		return deadline != NO_DEADLINE;
	}

	/** What RAX becomes when the deadline passes: -ETIMEDOUT for a futex wait, 0 for a sleep. */
	long timeoutResult() {
		return timeoutResult;
	}

	void timeoutResult(long r) {
		timeoutResult = r;
	}

	@Override
	public String toString() {
		return "GuestThread[" + tid + " " + state + (state == ThreadState.FUTEX_WAIT
				? " on 0x" + Long.toHexString(futexAddress) : state == ThreadState.IO_WAIT ? " in " + ioWait.describe() : "") + " rip=0x" + Long.toHexString(regs.rip) + "]";
	}
}
