package org.insight.vmm.linux;

import java.util.Arrays;

import org.insight.kvm.Regs;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;

/**
 * The x86-64 {@code struct rt_sigframe} exactly as Linux builds it on a thread's stack to run a handler
 * (arch/x86/kernel/signal_64.c, uapi asm/sigcontext.h, asm/ucontext.h), and the rt_sigreturn that reads it back.
 * <p>
 * Layout at the frame (the handler's RSP, 16-byte aligned minus 8 as after a call): {@code pretcode} (the
 * restorer) at 0, {@code struct ucontext} at 8 (304 bytes: uc_flags, uc_link, uc_stack, the 256-byte
 * {@code sigcontext} at 40, the 8-byte uc_sigmask at 296), the 128-byte {@code siginfo_t} at 312. The XSAVE area
 * lies above, 64-byte aligned, with the {@code fpx_sw_bytes} in the FXSAVE area's software-reserved bytes and
 * FP_XSTATE_MAGIC2 after it; {@code sigcontext.fpstate} points to it.
 * <p>
 * Pure layout: the caller chooses when to deliver and what the siginfo says. A frame that does not fit (an unmapped
 * or read-only stack) throws {@link GuestFault}, after which Linux kills with SIGSEGV.
 */
public final class SignalFrame {
	public static final int PRETCODE = 0;
	public static final int UC = 8;
	public static final int UC_FLAGS = UC, UC_LINK = UC + 8, UC_STACK = UC + 16, UC_MCONTEXT = UC + 40,
			UC_SIGMASK = UC + 296;
	public static final int UCONTEXT_SIZE = 304;
	public static final int SIGINFO = UC + UCONTEXT_SIZE;
	public static final int SIGINFO_SIZE = 128;
	/** sizeof(struct rt_sigframe). */
	public static final int SIZE = SIGINFO + SIGINFO_SIZE;
	/** Offsets in {@code struct sigcontext} (64-bit), the order of glibc's gregs. */
	public static final int SC_R8 = 0, SC_RDI = 64, SC_RSI = 72, SC_RBP = 80, SC_RBX = 88, SC_RDX = 96, SC_RAX = 104,
			SC_RCX = 112, SC_RSP = 120, SC_RIP = 128, SC_EFLAGS = 136, SC_CS = 144, SC_GS = 146, SC_FS = 148,
			SC_SS = 150, SC_ERR = 152, SC_TRAPNO = 160, SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184;
	public static final long UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
	public static final int FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845;
	/** Where {@code struct _fpx_sw_bytes} sits in the FXSAVE area, and MXCSR. */
	static final int SW_RESERVED = 464, MXCSR = 24, XSTATE_BV = 512;
	static final int RED_ZONE = 128;
	public static final long SA_SIGINFO = 4, SA_ONSTACK = 0x08000000L, SA_RESTART = 0x10000000L,
			SA_NODEFER = 0x40000000L, SA_RESETHAND = 0x80000000L, SA_RESTORER = 0x04000000L;
	/** RFLAGS bits sigreturn takes from the frame (Linux's FIX_EFLAGS); the others stay as the CPU has them. */
	public static final long FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;

	private SignalFrame() {
	}

	/** The thread's sigaltstack ({@code stack_t}): flags SS_ONSTACK is computed, never stored. */
	public record AltStack(long sp, long size, int flags) {
		public static final AltStack NONE = new AltStack(0, 0, SignalCalls.SS_DISABLE);

		/** Linux's on_sig_stack: never with SS_AUTODISARM (the stack is given up on entry). */
		boolean contains(long rsp) {
			return (flags & SignalCalls.SS_AUTODISARM) == 0 && within(rsp);
		}

		/** Linux's __on_sig_stack. */
		boolean within(long rsp) {
			return size != 0 && Long.compareUnsigned(rsp, sp) > 0 && Long.compareUnsigned(rsp - sp, size) <= 0;
		}
	}

	/** The thread's FP state: a KVM XSAVE buffer (standard format) of which {@code userSize} bytes go to the frame. */
	public record FpState(byte[] xsave, int userSize, long features) {
	}

	/** What the handler starts with: its registers, and the address of the frame. */
	public record Delivery(Regs regs, long frame) {
	}

	/** A siginfo for kill (SI_USER, 0) or tkill/tgkill (SI_TKILL, -6): si_pid and si_uid. */
	public static byte[] senderInfo(int signal, int code, int pid, int uid) {
		byte[] b = new byte[SIGINFO_SIZE];
		putInt(b, 0, signal);
		putInt(b, 8, code);
		putInt(b, 16, pid);
		putInt(b, 20, uid);
		return b;
	}

	/** A siginfo for a fault (SEGV_MAPERR 1, SEGV_ACCERR 2, FPE_INTDIV 1, ILL_ILLOPN 2, ...): si_addr. */
	public static byte[] faultInfo(int signal, int code, long addr) {
		byte[] b = new byte[SIGINFO_SIZE];
		putInt(b, 0, signal);
		putInt(b, 8, code);
		putLong(b, 16, addr);
		return b;
	}

	/**
	 * Writes the frame for a handler of {@code act} on the stack of a thread at {@code at} and returns the registers
	 * that enter the handler. {@code oldMask} is the mask to restore; {@code trapno}, {@code err} and {@code cr2}
	 * are the fault's, 0 for a sent signal.
	 */
	public static Delivery build(AddressSpace m, Regs at, FpState fp, long oldMask, byte[] siginfo, SignalAction act,
			AltStack alt, int signal, long trapno, long err, long cr2) {
		if ((act.flags() & SA_RESTORER) == 0) {
			// x86-64 Linux has no vDSO restorer to fall back on: the delivery fails, and the thread gets SIGSEGV.
			throw new GuestFault(at.rsp, true, "the handler has no SA_RESTORER");
		}
		long sp = at.rsp;
		boolean nested = alt.contains(sp);
		sp -= RED_ZONE;
		boolean entering = false;
		if ((act.flags() & SA_ONSTACK) != 0 && alt.size() != 0 && (alt.flags() & SignalCalls.SS_DISABLE) == 0
				&& !alt.contains(sp)) {
			sp = alt.sp() + alt.size();
			entering = true;
		}
		int fpSize = fp.userSize() + 4;
		long fpAt = (sp - fpSize) & ~63L;
		long frame = ((fpAt - SIZE) & ~15L) - 8;
		if ((nested || entering) && !alt.within(frame)) {
			// Linux: a frame that would overflow the alternate stack gets an always-bogus address, hence SIGSEGV.
			throw new GuestFault(frame, true, "the signal frame overflows the alternate signal stack");
		}
		byte[] area = Arrays.copyOf(fp.xsave(), fpSize);
		putInt(area, SW_RESERVED, FP_XSTATE_MAGIC1);
		putInt(area, SW_RESERVED + 4, fpSize);
		putLong(area, SW_RESERVED + 8, fp.features());
		putInt(area, SW_RESERVED + 16, fp.userSize());
		Arrays.fill(area, SW_RESERVED + 20, SW_RESERVED + 48, (byte) 0);
		putInt(area, fp.userSize(), FP_XSTATE_MAGIC2);
		// As Linux's save_xstate_epilog: the x87 and SSE bits are always set in the frame. Their hardware value (XINUSE)
		// is not a function of the guest's instructions alone (seen: the x87 bit 0 in a recording and 1 in its replay on
		// PVM, so the dead frame left on the stack changed the final memory digest); the legacy area holds those
		// components either way, their initial values when not in use.
		putLong(area, XSTATE_BV, getLong(area, XSTATE_BV) | 3);

		byte[] f = new byte[SIZE];
		putLong(f, PRETCODE, act.restorer());
		putLong(f, UC_FLAGS, UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
		putLong(f, UC_STACK, alt.sp());
		putInt(f, UC_STACK + 8, alt.flags());
		putLong(f, UC_STACK + 16, alt.size());
		int sc = UC_MCONTEXT;
		long[] r8to15 = { at.r8, at.r9, at.r10, at.r11, at.r12, at.r13, at.r14, at.r15 };
		for (int i = 0; i < 8; i++) {
			putLong(f, sc + SC_R8 + 8 * i, r8to15[i]);
		}
		putLong(f, sc + SC_RDI, at.rdi);
		putLong(f, sc + SC_RSI, at.rsi);
		putLong(f, sc + SC_RBP, at.rbp);
		putLong(f, sc + SC_RBX, at.rbx);
		putLong(f, sc + SC_RDX, at.rdx);
		putLong(f, sc + SC_RAX, at.rax);
		putLong(f, sc + SC_RCX, at.rcx);
		putLong(f, sc + SC_RSP, at.rsp);
		putLong(f, sc + SC_RIP, at.rip);
		putLong(f, sc + SC_EFLAGS, at.rflags);
		putShort(f, sc + SC_CS, 0x33);
		putShort(f, sc + SC_SS, 0x2b);
		putLong(f, sc + SC_ERR, err);
		putLong(f, sc + SC_TRAPNO, trapno);
		putLong(f, sc + SC_OLDMASK, oldMask);
		putLong(f, sc + SC_CR2, cr2);
		putLong(f, sc + SC_FPSTATE, fpAt);
		putLong(f, UC_SIGMASK, oldMask);
		if ((act.flags() & SA_SIGINFO) != 0) {
			System.arraycopy(siginfo, 0, f, SIGINFO, SIGINFO_SIZE);
		} else {
			m.copyIn(frame + SIGINFO, f, SIGINFO, SIGINFO_SIZE); // Linux leaves that part of the stack as it was
		}

		m.copyOut(fpAt, area);
		m.copyOut(frame, f);

		Regs h = at.copy();
		h.rsp = frame;
		h.rip = act.handler();
		h.rdi = signal;
		h.rsi = frame + SIGINFO;
		h.rdx = frame + UC;
		h.rax = 0;
		// Linux clears TF, DF and RF for the handler (and AC on entry with SMAP, irrelevant to user code).
		h.rflags &= ~(0x100L | 0x400L | 0x10000L);
		return new Delivery(h, frame);
	}

	/** The handler's mask: the thread's, plus sa_mask, plus the signal itself unless SA_NODEFER. */
	public static long handlerMask(long threadMask, SignalAction act, int signal) {
		long mask = threadMask | act.mask();
		if ((act.flags() & SA_NODEFER) == 0) {
			mask |= 1L << (signal - 1);
		}
		return mask & ~SignalCalls.UNBLOCKABLE;
	}

	/** What rt_sigreturn puts back: registers, FP state (a whole KVM buffer), mask, sigaltstack. */
	public record Restored(Regs regs, byte[] xsave, long mask, AltStack alt) {
	}

	/**
	 * Reads the frame a handler returned through: the restorer's rt_sigreturn runs with RSP just above pretcode.
	 * Selectors are the machine's own whatever the frame says, only FIX_EFLAGS come from it, and an XSAVE area
	 * the CPU would refuse (misaligned, bad MXCSR, unknown or reserved header bits) is a bad frame. Returns null for
	 * a bad frame (Linux: SIGSEGV).
	 */
	public static Restored sigreturn(AddressSpace m, long rsp, Regs current, FpState fp) {
		long frame = rsp - 8;
		byte[] f;
		try {
			f = m.copyIn(frame, SIZE);
		} catch (GuestFault e) {
			return null;
		}
		int sc = UC_MCONTEXT;
		Regs r = current.copy();
		r.r8 = getLong(f, sc);
		r.r9 = getLong(f, sc + 8);
		r.r10 = getLong(f, sc + 16);
		r.r11 = getLong(f, sc + 24);
		r.r12 = getLong(f, sc + 32);
		r.r13 = getLong(f, sc + 40);
		r.r14 = getLong(f, sc + 48);
		r.r15 = getLong(f, sc + 56);
		r.rdi = getLong(f, sc + SC_RDI);
		r.rsi = getLong(f, sc + SC_RSI);
		r.rbp = getLong(f, sc + SC_RBP);
		r.rbx = getLong(f, sc + SC_RBX);
		r.rdx = getLong(f, sc + SC_RDX);
		r.rax = getLong(f, sc + SC_RAX);
		r.rcx = getLong(f, sc + SC_RCX);
		r.rsp = getLong(f, sc + SC_RSP);
		r.rip = getLong(f, sc + SC_RIP);
		r.rflags = (current.rflags & ~FIX_EFLAGS) | (getLong(f, sc + SC_EFLAGS) & FIX_EFLAGS);
		byte[] xsave = restoreFp(m, getLong(f, sc + SC_FPSTATE), fp);
		if (xsave == null) {
			return null;
		}
		long mask = getLong(f, UC_SIGMASK) & ~SignalCalls.UNBLOCKABLE;
		AltStack alt = new AltStack(getLong(f, UC_STACK), getLong(f, UC_STACK + 16), getInt(f, UC_STACK + 8));
		return new Restored(r, xsave, mask, alt);
	}

	/** The new KVM buffer from the frame's XSAVE area at {@code at}; 0 means the initial FP state; null if bad. */
	private static byte[] restoreFp(AddressSpace m, long at, FpState fp) {
		byte[] out = fp.xsave().clone();
		if (at == 0) {
			Arrays.fill(out, 0, Math.min(out.length, fp.userSize()), (byte) 0);
			putShort(out, 0, 0x37f); // FCW
			putInt(out, MXCSR, 0x1f80);
			return out;
		}
		if ((at & 63) != 0) {
			return null;
		}
		byte[] area;
		try {
			area = m.copyIn(at, fp.userSize() + 4);
		} catch (GuestFault e) {
			return null;
		}
		if ((getInt(area, MXCSR) & 0xffff0000) != 0) {
			return null;
		}
		boolean extended = getInt(area, SW_RESERVED) == FP_XSTATE_MAGIC1
				&& getInt(area, SW_RESERVED + 4) == fp.userSize() + 4
				&& getInt(area, fp.userSize()) == FP_XSTATE_MAGIC2;
		if (!extended) {
			// Linux restores only the legacy FXSAVE part (x87 and SSE) then, and the rest to its initial state.
			System.arraycopy(area, 0, out, 0, 512);
			Arrays.fill(out, 512, Math.min(out.length, fp.userSize()), (byte) 0);
			putLong(out, XSTATE_BV, 3);
			return out;
		}
		long bv = getLong(area, XSTATE_BV);
		if ((bv & ~fp.features()) != 0 || getLong(area, XSTATE_BV + 8) != 0) {
			return null; // XRSTOR would #GP on unknown features or a compacted header
		}
		for (int i = XSTATE_BV + 16; i < XSTATE_BV + 64; i++) {
			if (area[i] != 0) {
				return null;
			}
		}
		System.arraycopy(area, 0, out, 0, fp.userSize());
		Arrays.fill(out, SW_RESERVED, SW_RESERVED + 48, (byte) 0);
		return out;
	}

	static void putShort(byte[] b, int at, int v) {
		b[at] = (byte) v;
		b[at + 1] = (byte) (v >> 8);
	}

	static void putInt(byte[] b, int at, int v) {
		for (int i = 0; i < 4; i++) {
			b[at + i] = (byte) (v >> 8 * i);
		}
	}

	static void putLong(byte[] b, int at, long v) {
		for (int i = 0; i < 8; i++) {
			b[at + i] = (byte) (v >> 8 * i);
		}
	}

	static int getInt(byte[] b, int at) {
		int v = 0;
		for (int i = 3; i >= 0; i--) {
			v = v << 8 | (b[at + i] & 0xff);
		}
		return v;
	}

	static long getLong(byte[] b, int at) {
		long v = 0;
		for (int i = 7; i >= 0; i--) {
			v = v << 8 | (b[at + i] & 0xff);
		}
		return v;
	}
}
