package org.insight.vmm.linux;

import org.insight.kvm.Regs;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * Runs guest signal handlers: delivery when a thread returns to user mode, faults handed to a handler, and
 * rt_sigreturn ({@link SignalWaits} has pause and rt_sigsuspend, {@link SignalTimedWait} rt_sigtimedwait). A syscall a
 * signal interrupted ({@link SyscallRestart}) is restarted or ends with EINTR here, before the first handler's frame
 * saves the registers.
 * <p>
 * Only the guest generates signals (kill, tkill, tgkill, raise, a broken pipe, a fault), so when one is delivered is
 * a function of guest state: the machine calls {@link #beforeUserMode} each time it resumes a thread after the VMM
 * ran on its behalf (a syscall's return, a switch to it at a sync point), which record and replay do at the same
 * places; a running thread never has a deliverable signal, since only a syscall or another thread can give it one.
 * No trace frame is needed. Delivery is Linux's handle_signal: the {@link SignalFrame} on the thread's stack (or its
 * alternate stack with SA_ONSTACK), RIP at the handler with RDI = signo, RSI = &siginfo, RDX = &ucontext, the mask
 * grown by sa_mask and (unless SA_NODEFER) the signal, SA_RESETHAND, SS_AUTODISARM, and the FPU in its initial
 * state. A frame that cannot be written kills the process with SIGSEGV, as Linux's force_sigsegv would in the end.
 * <p>
 * The FP state in the frame is the legacy FXSAVE area with an XSAVE header for x87 and SSE (576 bytes, features 3):
 * the machine runs the guest without CR4.OSXSAVE, so nothing more exists.
 */
public final class SignalDelivery {
	/** The user FP area: FXSAVE (512) and the XSAVE header (64); x87 and SSE. */
	static final int FP_USER_SIZE = 576;
	static final long FP_FEATURES = 3;
	static final int SEGV_MAPERR = 1, SEGV_ACCERR = 2, FPE_INTDIV = 1, ILL_ILLOPN = 2, SI_KERNEL = 0x80;
	/** How many handlers one return to user mode may stack up (each blocks its own signal, so at most 64). */
	private static final int MAX_FRAMES = Signals.MAX;

	private SignalDelivery() {
	}

	/**
	 * Thread {@code t}, whose FP state is the vCPU's, is about to return to user mode: every pending signal it does
	 * not block is delivered, the last one's handler running first as in Linux. Returns false if the process ended
	 * (a default action, a frame that could not be written).
	 */
	public static boolean beforeUserMode(LinuxProcess p, GuestThread t) {
		// After rt_sigsuspend, or a ppoll, pselect6 or epoll_pwait with a mask (TemporaryMask): the first frame saves
		// the mask from before it; with no handler run, it comes back now.
		Long saved = p.pending().takeSuspendMask(t);
		// A call a signal interrupted: the first handler decides whether it restarts; with none, it does.
		SyscallRestart.Interrupted call = p.pending().takeInterrupted(t);
		// Linux's restore_saved_sigmask_unless: a call that no signal ended (something was ready, a timeout, an
		// error) gets its own mask back before any delivery, so what it blocks stays pending.
		if (saved != null && call == null && t.regs().rax != -Errno.EINTR) {
			t.signalMask(saved);
			saved = null;
		}
		for (int n = 0; n < MAX_FRAMES && !p.isTerminated(); n++) {
			long allowed = ~t.signalMask();
			PendingSignals own = p.pending().of(t);
			PendingSignals from = own;
			int signal = own.next(allowed);
			if (signal == 0) {
				from = p.pending().shared();
				signal = from.next(allowed);
			}
			if (signal == 0) {
				break;
			}
			byte[] info = from.take(signal);
			SignalAction act = p.action(signal);
			if (act.isIgnored()) {
				continue;
			}
			if (act.isDefault()) {
				if (Signals.defaultAction(signal) == Signals.DefaultAction.TERMINATE) {
					p.kill(signal, Signals.name(signal) + " delivered to thread " + t.tid() + ", which has no handler");
				}
				continue;
			}
			if (call != null) {
				SyscallRestart.beforeHandler(t.regs(), call, act);
				call = null;
			}
			handle(p, t, signal, info, act, saved != null ? saved : t.signalMask(), 0, 0, 0);
			saved = null;
		}
		if (call != null) {
			SyscallRestart.withoutHandler(t.regs(), call);
		}
		if (saved != null) {
			t.signalMask(saved);
		}
		return !p.isTerminated();
	}

	/**
	 * Thread {@code t} (registers saved as at the fault, its FP state the vCPU's) raised exception {@code vector}
	 * that Linux turns into {@code signal}. With a handler installed and the signal not blocked, the handler runs
	 * (true). Otherwise Linux's force_sig_fault would reset the action and unblock the signal, so the default action
	 * kills: false, and the machine ends the run as before. True also if delivering failed and killed the process.
	 */
	public static boolean fault(LinuxProcess p, GuestThread t, int signal, int vector, long errorCode, long cr2,
			long rip) {
		if (!handles(p, t, signal)) {
			return false;
		}
		SignalAction act = p.action(signal);
		byte[] info = faultInfo(signal, vector, errorCode, cr2, rip);
		handle(p, t, signal, info, act, t.signalMask(), vector, errorCode, vector == PAGE_FAULT ? cr2 : 0);
		return true;
	}

	/** Whether a fault raising {@code signal} in {@code t} goes to a handler: one is installed and not blocked. */
	public static boolean handles(LinuxProcess p, GuestThread t, int signal) {
		SignalAction act = p.action(signal);
		return !act.isDefault() && !act.isIgnored() && (t.signalMask() & SignalCalls.bit(signal)) == 0;
	}

	static final int DIVIDE_ERROR = 0, BREAKPOINT = 3, INVALID_OPCODE = 6, PAGE_FAULT = 14;

	/** The siginfo Linux gives a fault: si_code and si_addr by the kind of exception. */
	static byte[] faultInfo(int signal, int vector, long errorCode, long cr2, long rip) {
		return switch (vector) {
		case PAGE_FAULT -> SignalFrame.faultInfo(signal, (errorCode & 1) != 0 ? SEGV_ACCERR : SEGV_MAPERR, cr2);
		case DIVIDE_ERROR -> SignalFrame.faultInfo(signal, FPE_INTDIV, rip);
		case INVALID_OPCODE -> SignalFrame.faultInfo(signal, ILL_ILLOPN, rip);
		default -> SignalFrame.faultInfo(signal, SI_KERNEL, 0); // #GP, int3: force_sig, no address
		};
	}

	/** Enters the handler of {@code signal}; {@code oldMask} is the mask its frame saves for rt_sigreturn. */
	private static void handle(LinuxProcess p, GuestThread t, int signal, byte[] info, SignalAction act, long oldMask,
			long trapno, long err, long cr2) {
		byte[] live = p.cpu().extendedState();
		SignalFrame.AltStack alt = new SignalFrame.AltStack(t.altStackSp(), t.altStackSize(), t.altStackFlags());
		SignalFrame.Delivery d;
		try {
			d = SignalFrame.build(p.memory(), t.regs(), fpState(live), oldMask, info, act, alt, signal, trapno, err,
					cr2);
		} catch (GuestFault e) {
			p.kill(Signals.SIGSEGV, String.format("the frame for the guest's %s handler at 0x%x could not be written "
					+ "(thread %d): %s", Signals.name(signal), act.handler(), t.tid(), e.getMessage()));
			return;
		}
		t.saveRegs(d.regs());
		t.signalMask(SignalFrame.handlerMask(t.signalMask(), act, signal));
		if ((act.flags() & SignalFrame.SA_RESETHAND) != 0) {
			p.action(signal, new SignalAction(SignalAction.SIG_DFL, act.flags(), act.restorer(), act.mask()));
		}
		if ((t.altStackFlags() & SignalCalls.SS_AUTODISARM) != 0) {
			t.altStack(0, 0, SignalCalls.SS_DISABLE);
		}
		p.cpu().restoreExtendedState(initialFp(live));
	}

	/**
	 * rt_sigreturn: the registers, FP state, mask and sigaltstack the frame below RSP holds. Returns the restored
	 * RAX (the machine writes the result to RAX). A bad frame kills the process with SIGSEGV.
	 */
	static long sigreturn(LinuxProcess p, GuestThread t, SyscallArgs a) {
		Regs now = t.regs();
		SignalFrame.Restored r = SignalFrame.sigreturn(p.memory(), now.rsp, now, fpState(p.cpu().extendedState()));
		if (r == null) {
			p.kill(Signals.SIGSEGV, String.format("rt_sigreturn by thread %d found no valid signal frame at 0x%x",
					t.tid(), now.rsp - 8));
			return 0;
		}
		t.saveRegs(r.regs());
		t.signalMask(r.mask());
		p.cpu().restoreExtendedState(r.xsave());
		// Linux's restore_altstack: do_sigaltstack with the frame's stack_t, whose errors it ignores.
		SignalFrame.AltStack alt = r.alt();
		int mode = alt.flags() & ~SignalCalls.SS_AUTODISARM;
		SignalFrame.AltStack current = new SignalFrame.AltStack(t.altStackSp(), t.altStackSize(), t.altStackFlags());
		if (!current.contains(r.regs().rsp)) {
			if (mode == SignalCalls.SS_DISABLE) {
				t.altStack(0, 0, SignalCalls.SS_DISABLE);
			} else if (mode == 0 && alt.size() >= SignalCalls.MINSIGSTKSZ) {
				t.altStack(alt.sp(), alt.size(), alt.flags() & SignalCalls.SS_AUTODISARM);
			}
		}
		return r.regs().rax;
	}

	/** The vCPU's KVM XSAVE buffer as the frame's FP area: x87 and SSE only, in the standard format. */
	static SignalFrame.FpState fpState(byte[] live) {
		byte[] x = java.util.Arrays.copyOf(live, Math.max(live.length, FP_USER_SIZE + 64));
		long bv = SignalFrame.getLong(x, SignalFrame.XSTATE_BV) & FP_FEATURES;
		SignalFrame.putLong(x, SignalFrame.XSTATE_BV, bv);
		java.util.Arrays.fill(x, SignalFrame.XSTATE_BV + 8, SignalFrame.XSTATE_BV + 64, (byte) 0);
		return new SignalFrame.FpState(x, FP_USER_SIZE, FP_FEATURES);
	}

	/** Linux's fpu__clear_user_states: x87 and SSE as after FNINIT, MXCSR 0x1f80, for the handler. */
	static byte[] initialFp(byte[] live) {
		byte[] x = java.util.Arrays.copyOf(live, Math.max(live.length, FP_USER_SIZE + 64));
		byte[] mxcsrMask = java.util.Arrays.copyOfRange(x, 28, 32);
		java.util.Arrays.fill(x, 0, FP_USER_SIZE, (byte) 0);
		SignalFrame.putShort(x, 0, 0x37f);
		SignalFrame.putInt(x, SignalFrame.MXCSR, 0x1f80);
		System.arraycopy(mxcsrMask, 0, x, 28, 4);
		SignalFrame.putLong(x, SignalFrame.XSTATE_BV, FP_FEATURES);
		return x;
	}
}
