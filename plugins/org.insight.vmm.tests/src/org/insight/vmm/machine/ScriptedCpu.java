package org.insight.vmm.machine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.insight.kvm.Exit;
import org.insight.kvm.GuestMemory;
import org.insight.kvm.Regs;
import org.insight.vmm.memory.MachineLayout;

/**
 * A vCPU that plays a script instead of running a guest: each step changes the registers as the guest would have
 * and returns the exit KVM would report. Between steps it behaves like the CPU the machine expects: a syscall
 * leaves RCX and R11 as the instruction does, an exception pushes its frame on the CPL0 stack and the stub's iretq
 * pops it, and the machine's iretq trampoline returns through the frame the VMM wrote.
 */
final class ScriptedCpu implements VirtualCpu {
	@FunctionalInterface
	interface Step {
		Exit apply(ScriptedCpu cpu);
	}

	final GuestMemory memory;
	final Deque<Step> script = new ArrayDeque<>();
	final List<String> log = new ArrayList<>();
	Regs live = new Regs();
	byte[] xsave = { 0x11 };
	long fsBase = -1;
	long cr2;
	int privilegeLevel = 3;
	int kicks;
	int setRegsCalls;
	/**
	 * An exception the guest raised that KVM has not delivered yet, because a kick made KVM_RUN return first
	 * ({@link #trapThenKick}); -1 when none. KVM delivers it at the next run, unless the registers are set before:
	 * its set-regs (KVM_SET_REGS and the dirty sync registers alike) clears a pending exception.
	 */
	int pendingVector = -1;
	private Regs interrupted;
	private long stubRip;

	ScriptedCpu(GuestMemory memory) {
		this.memory = memory;
	}

	ScriptedCpu then(Step... steps) {
		script.addAll(List.of(steps));
		return this;
	}

	@Override
	public Exit run() {
		if (pendingVector >= 0) {
			int vector = pendingVector;
			pendingVector = -1;
			log.add("pending " + ExceptionVectors.name(vector) + " delivered");
			return exception(vector, 0, 0).apply(this);
		}
		if (interrupted != null && live.rip == stubRip) {
			live = interrupted; // the stub's iretq: back where the exception struck
		}
		interrupted = null;
		if (live.rip == KernelArea.IRET_TRAMPOLINE) {
			if ((live.rflags & CodeBreakpoints.TF) != 0) {
				// a real CPU traps (#DB) right after this iretq, before the instruction it returns to
				throw new AssertionError("TF is set in RFLAGS at the CPL0 iretq");
			}
			long frame = live.rsp;
			live.rip = memory.getLong(frame);
			live.rflags = memory.getLong(frame + 16);
			live.rsp = memory.getLong(frame + 24);
			log.add("iretq to 0x" + Long.toHexString(live.rip) + " cs 0x" + Long.toHexString(memory.getLong(frame
					+ 8)));
		}
		Step s = script.poll();
		if (s == null) {
			throw new AssertionError("the loop ran the guest past the end of the script (rip 0x"
					+ Long.toHexString(live.rip) + ")");
		}
		return s.apply(this);
	}

	@Override
	public Regs regs() {
		return live.copy();
	}

	@Override
	public void setRegs(Regs regs) {
		live = regs.copy();
		setRegsCalls++;
		if (pendingVector >= 0) {
			log.add("pending " + ExceptionVectors.name(pendingVector) + " dropped by set-regs");
			pendingVector = -1;
		}
	}

	@Override
	public int privilegeLevel() {
		return privilegeLevel;
	}

	@Override
	public long faultAddress() {
		return cr2;
	}

	@Override
	public byte[] saveExtendedState() {
		log.add("xsave -> " + xsave[0]);
		return xsave.clone();
	}

	@Override
	public void restoreExtendedState(byte[] state) {
		log.add("xrstor <- " + state[0]);
		xsave = state.clone();
	}

	@Override
	public void setFsBase(long base) {
		log.add("fs <- 0x" + Long.toHexString(base));
		fsBase = base;
	}

	@Override
	public void kick() {
		kicks++;
	}

	// ---------------------------------------------------------------- steps

	/** The thread at RIP executes {@code syscall} (2 bytes) and reaches the gate. */
	static Step syscall(long nr, long... args) {
		return cpu -> {
			long[] a = new long[6];
			System.arraycopy(args, 0, a, 0, args.length);
			Regs r = cpu.live;
			r.rax = nr;
			r.rdi = a[0];
			r.rsi = a[1];
			r.rdx = a[2];
			r.r10 = a[3];
			r.r8 = a[4];
			r.r9 = a[5];
			r.rcx = r.rip + 2;
			r.r11 = r.rflags;
			r.rip = MachineLayout.GATE + MachineFacts.OUT_LENGTH;
			return new Exit.Io(MachineLayout.GATE_PORT, true, 1, 1, new byte[] { (byte) nr });
		};
	}

	/** The thread at RIP raises exception {@code vector}; for a #PF, {@code cr2} is the address. */
	static Step exception(int vector, long errorCode, long cr2) {
		return cpu -> {
			Regs user = cpu.live.copy();
			boolean err = ExceptionVectors.hasErrorCode(vector);
			long frame = MachineLayout.KERNEL_STACK_TOP - (err ? 48 : 40);
			long at = frame;
			if (err) {
				cpu.memory.putLong(at, errorCode);
				at += 8;
			}
			cpu.memory.putLong(at, user.rip);
			cpu.memory.putLong(at + 8, MachineFacts.USER_CS);
			cpu.memory.putLong(at + 16, user.rflags);
			cpu.memory.putLong(at + 24, user.rsp);
			cpu.memory.putLong(at + 32, MachineFacts.USER_SS);
			cpu.interrupted = user;
			cpu.cr2 = cr2;
			cpu.live.rsp = frame;
			cpu.live.rip = MachineLayout.STUBS + MachineLayout.STUB_SIZE * vector + MachineFacts.OUT_LENGTH;
			cpu.stubRip = cpu.live.rip;
			return new Exit.Io(MachineLayout.EXCEPTION_PORT_BASE + vector, true, 1, 1, new byte[] { 0 });
		};
	}

	/**
	 * The instruction at RIP traps with {@code vector} ({@code int3}: #BP; the end of a TF step: #DB), {@code length}
	 * bytes long, and a kick lands before KVM has delivered the exception: KVM_RUN returns EINTR with RIP already
	 * past the instruction and the exception pending (as KVM under PVM queues a guest exception, then sees the signal
	 * before it enters the guest again). See {@link #pendingVector}.
	 */
	static Step trapThenKick(int vector, int length) {
		return cpu -> {
			cpu.live.rip += length;
			cpu.pendingVector = vector;
			return new Exit.Interrupted();
		};
	}

	/** A kick interrupts the guest wherever it is. */
	static Step interrupt() {
		return cpu -> new Exit.Interrupted();
	}

	/** The guest jumps to {@code rip} (its code ran without exits). */
	static Step jump(long rip, Step then) {
		return cpu -> {
			cpu.live.rip = rip;
			return then.apply(cpu);
		};
	}

	/** Runs {@code check} on the CPU as the loop left it, then {@code then}. */
	static Step expect(java.util.function.Consumer<ScriptedCpu> check, Step then) {
		return cpu -> {
			check.accept(cpu);
			return then.apply(cpu);
		};
	}
}
