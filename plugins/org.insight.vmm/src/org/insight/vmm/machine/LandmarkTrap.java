package org.insight.vmm.machine;

import java.util.Objects;
import java.util.Optional;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.PageTables;

/**
 * The int3 a replay puts at the next planned preemption's RIP. Hardware breakpoints never fire here (PLATFORM.md), so
 * the breakpoint is a 0xCC byte written through the VMM's view of the frame (the page may be read-only for the
 * guest), delivered through the guest's own #BP stub. A hit whose state is not the landmark's (an earlier iteration
 * of a loop) is stepped over: the original byte goes back, the thread runs one instruction with TF, and the #DB
 * after it puts the int3 back.
 * <p>
 * Code pages are shared by every thread, so the byte is only in place while the planned thread is on the vCPU; it
 * is also only written once its page is present (the guest faults the page in before it can fetch from it, and the
 * loop arms again before every run).
 */
final class LandmarkTrap {
	static final byte INT3 = (byte) 0xCC;
	/** RFLAGS.TF: a #DB trap after the next instruction. */
	static final long TF = 0x100;
	private static final int PUSHFQ = 0x9C;

	enum State {
		/** No byte of ours in guest memory. */
		IDLE,
		/** The int3 is at {@link #address()}. */
		ARMED,
		/** The original byte is back while the planned thread executes it once. */
		STEPPING
	}

	private final AddressSpace memory;
	private State state = State.IDLE;
	private long address;
	private long physical;
	private byte original;
	private int tid;
	/** The stepped instruction is {@code syscall}: stepped without TF (which would trap in the gate), until its exit. */
	private boolean untilSyscall;
	/** The stepped instruction is {@code pushfq}: the RFLAGS it pushed carry our TF, which must not reach the guest. */
	private boolean pushf;

	LandmarkTrap(AddressSpace memory) {
		this.memory = Objects.requireNonNull(memory, "memory");
	}

	State state() {
		return state;
	}

	/** Where the int3 is (or is being stepped over). */
	long address() {
		return address;
	}

	/**
	 * Before the guest runs thread {@code runningTid}: the int3 is at the planned landmark if that thread is the
	 * planned one and the page is present, and nowhere otherwise. A step in progress is left alone.
	 */
	void prepare(int runningTid, Optional<Preemption> plan) {
		if (state == State.STEPPING) {
			return;
		}
		boolean wanted = plan.isPresent() && plan.get().tid() == runningTid;
		if (state == State.ARMED && (!wanted || plan.get().landmark().rip() != address || tid != runningTid)) {
			disarm();
		}
		if (wanted && state == State.IDLE) {
			arm(runningTid, plan.get().landmark().rip());
		}
	}

	private void arm(int forTid, long va) {
		PageTables.Translation t = memory.translate(va);
		if (!t.present()) {
			return; // not fetched yet: the fetch faults it in, and the next prepare arms it
		}
		GuestMemory m = memory.memory();
		original = m.getByte(t.physical());
		m.putByte(t.physical(), INT3);
		physical = t.physical();
		address = va;
		tid = forTid;
		state = State.ARMED;
	}

	/** Whether a #BP whose frame RIP is {@code frameRip} (after the int3) is ours, hit by thread {@code byTid}. */
	boolean isHit(long frameRip, int byTid) {
		return state == State.ARMED && frameRip - 1 == address && byTid == tid;
	}

	/** Puts the original byte back, if the page still holds our int3. */
	void disarm() {
		if (state == State.ARMED) {
			restore();
		}
		state = State.IDLE;
	}

	private void restore() {
		PageTables.Translation t = memory.translate(address);
		if (t.present() && t.physical() == physical && memory.memory().getByte(physical) == INT3) {
			memory.memory().putByte(physical, original);
		}
	}

	/**
	 * A hit that is not the landmark: the original byte goes back and the thread executes it once. Returns the
	 * RFLAGS to resume with: with TF, or as they were for a {@code syscall}, whose exit ends the step instead.
	 */
	long stepOver(long rflags) {
		if (state != State.ARMED) {
			throw new IllegalStateException("stepping over a landmark breakpoint that is not armed (" + state + ")");
		}
		restore();
		byte[] code = memory.copyIn(address, 2);
		untilSyscall = isSyscall(code);
		pushf = isPushf(code);
		state = State.STEPPING;
		return untilSyscall ? rflags : rflags | TF;
	}

	/** Whether the instruction starting with {@code code} (two bytes) is {@code syscall}: TF would trap in the gate. */
	static boolean isSyscall(byte[] code) {
		return code[0] == 0x0F && code[1] == 0x05;
	}

	/** Whether it is {@code pushfq}: a TF step would push our TF where the guest can read it. */
	static boolean isPushf(byte[] code) {
		return (code[0] & 0xff) == PUSHFQ;
	}

	/** Whether a #DB of thread {@code byTid} ends our step. */
	boolean isStep(int byTid) {
		return state == State.STEPPING && !untilSyscall && byTid == tid;
	}

	/**
	 * The step is done (#DB after it, at user RSP {@code rsp}): the next prepare arms again. Returns the RFLAGS to
	 * resume with (TF cleared); a {@code pushfq} that was stepped gets TF cleared in the word it pushed.
	 */
	long stepped(long rflags, long rsp) {
		if (pushf) {
			memory.writeU64(rsp, memory.readU64(rsp) & ~TF);
		}
		state = State.IDLE;
		pushf = false;
		return rflags & ~TF;
	}

	/** A syscall exit: ends a step over a {@code syscall} instruction. */
	void syscallEntered(int byTid) {
		if (state == State.STEPPING && untilSyscall && byTid == tid) {
			state = State.IDLE;
			untilSyscall = false;
		}
	}
}
