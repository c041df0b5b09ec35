package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.insight.kvm.Regs;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.memory.Mman;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rt_sigframe against the Linux uapi layouts (struct rt_sigframe, ucontext, sigcontext, _fpstate). */
class SignalFrameTest {
	private static final int USER_SIZE = 832; // x87 + SSE + AVX
	private final LinuxFixture f = new LinuxFixture();
	private final long stack = f.space.mmap(0, 1 << 16, Mman.PROT_READ | Mman.PROT_WRITE,
			Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
	private final SignalFrame.FpState fp = new SignalFrame.FpState(xsave(), USER_SIZE, 7);
	private final SignalAction act = new SignalAction(0x401100, SignalFrame.SA_SIGINFO | SignalFrame.SA_RESTORER,
			0x401200, 0);

	@AfterEach
	void close() {
		f.close();
	}

	private static byte[] xsave() {
		byte[] x = new byte[4096];
		for (int i = 0; i < USER_SIZE; i++) {
			x[i] = (byte) (i * 7);
		}
		SignalFrame.putInt(x, 24, 0x1f80); // MXCSR
		SignalFrame.putLong(x, 512, 7); // XSTATE_BV
		java.util.Arrays.fill(x, 520, 576, (byte) 0);
		return x;
	}

	private Regs at(long rsp) {
		Regs r = new Regs();
		r.rax = 1;
		r.rbx = 2;
		r.rcx = 3;
		r.rdx = 4;
		r.rsi = 5;
		r.rdi = 6;
		r.rbp = 7;
		r.r8 = 8;
		r.r15 = 15;
		r.rsp = rsp;
		r.rip = 0x401050;
		r.rflags = 0x202 | 0x400;
		return r;
	}

	@Test
	void theLayoutIsLinuxs() {
		assertEquals(440, SignalFrame.SIZE, "sizeof(struct rt_sigframe)");
		assertEquals(8 + 40, SignalFrame.UC_MCONTEXT);
		assertEquals(8 + 296, SignalFrame.UC_SIGMASK);
		assertEquals(312, SignalFrame.SIGINFO);
		assertEquals(184, SignalFrame.SC_FPSTATE);
		assertEquals(16 * 8, SignalFrame.SC_RIP, "REG_RIP is gregs[16]");
	}

	@Test
	void aHandlerGetsTheFrameTheRegistersAndTheSiginfo() {
		long rsp = stack + 0x8000 + 8;
		Regs r = at(rsp);
		byte[] info = SignalFrame.senderInfo(Signals.SIGUSR1, -6, 1000, 0);
		SignalFrame.Delivery d = SignalFrame.build(f.space, r, fp, 0x1234, info, act, SignalFrame.AltStack.NONE,
				Signals.SIGUSR1, 0, 0, 0);
		long frame = d.frame();
		assertEquals(0, (frame + 8) % 16, "RSP as after a call: 16-byte aligned + 8");
		long fpAt = f.space.readU64(frame + SignalFrame.UC_MCONTEXT + SignalFrame.SC_FPSTATE);
		assertEquals(0, fpAt % 64);
		assertEquals(true, fpAt + USER_SIZE + 4 <= rsp - 128, "the red zone is skipped");
		assertEquals(true, frame + SignalFrame.SIZE <= fpAt);
		assertEquals(0x401200, f.space.readU64(frame), "pretcode = sa_restorer");
		assertEquals(7, f.space.readU64(frame + SignalFrame.UC_FLAGS));
		assertEquals(0x1234, f.space.readU64(frame + SignalFrame.UC_SIGMASK));
		long sc = frame + SignalFrame.UC_MCONTEXT;
		assertEquals(8, f.space.readU64(sc));
		assertEquals(15, f.space.readU64(sc + 56));
		assertEquals(6, f.space.readU64(sc + SignalFrame.SC_RDI));
		assertEquals(1, f.space.readU64(sc + SignalFrame.SC_RAX));
		assertEquals(rsp, f.space.readU64(sc + SignalFrame.SC_RSP));
		assertEquals(0x401050, f.space.readU64(sc + SignalFrame.SC_RIP));
		assertEquals(0x33, f.space.readU32(sc + SignalFrame.SC_CS) & 0xffff);
		assertEquals(Signals.SIGUSR1, f.space.readU32(frame + SignalFrame.SIGINFO));
		assertEquals(-6, f.space.readU32(frame + SignalFrame.SIGINFO + 8), "si_code SI_TKILL");
		assertEquals(1000, f.space.readU32(frame + SignalFrame.SIGINFO + 16), "si_pid");
		assertEquals(SignalFrame.FP_XSTATE_MAGIC1, f.space.readU32(fpAt + 464));
		assertEquals(USER_SIZE + 4, f.space.readU32(fpAt + 468), "extended_size");
		assertEquals(7, f.space.readU64(fpAt + 472), "xfeatures");
		assertEquals(USER_SIZE, f.space.readU32(fpAt + 480), "xstate_size");
		assertEquals(SignalFrame.FP_XSTATE_MAGIC2, f.space.readU32(fpAt + USER_SIZE));
		assertEquals(fp.xsave()[100], f.space.copyIn(fpAt + 100, 1)[0]);
		Regs h = d.regs();
		assertEquals(0x401100, h.rip);
		assertEquals(frame, h.rsp);
		assertEquals(Signals.SIGUSR1, h.rdi);
		assertEquals(frame + SignalFrame.SIGINFO, h.rsi);
		assertEquals(frame + 8, h.rdx);
		assertEquals(0, h.rflags & 0x400, "DF is clear in the handler");
	}

	@Test
	void sigreturnRestoresWhatTheFrameSaysWithinLimits() {
		Regs r = at(stack + 0x8000);
		SignalFrame.Delivery d = SignalFrame.build(f.space, r, fp, 0x55, SignalFrame.faultInfo(11, 1, 0x10), act,
				SignalFrame.AltStack.NONE, 11, 14, 4, 0x10);
		long sc = d.frame() + SignalFrame.UC_MCONTEXT;
		f.space.writeU64(sc + SignalFrame.SC_RAX, 99); // the handler changes the context, as siglongjmp-free code may
		f.space.writeU64(sc + SignalFrame.SC_EFLAGS, 0xffff_ffffL); // IOPL, IF, VM... are not the guest's to set
		f.space.writeU32(sc + SignalFrame.SC_CS, 0x08); // a kernel selector is ignored
		f.space.writeU64(d.frame() + SignalFrame.UC_SIGMASK, -1L);
		Regs handlerEnd = d.regs().copy();
		handlerEnd.rsp = d.frame() + 8; // the restorer's ret popped pretcode
		SignalFrame.Restored back = SignalFrame.sigreturn(f.space, handlerEnd.rsp, handlerEnd, fp);
		assertNotNull(back);
		assertEquals(99, back.regs().rax);
		assertEquals(r.rip, back.regs().rip);
		assertEquals(r.rsp, back.regs().rsp);
		assertEquals(r.rbx, back.regs().rbx);
		assertEquals(0x202 & ~SignalFrame.FIX_EFLAGS, back.regs().rflags & ~SignalFrame.FIX_EFLAGS);
		assertEquals(SignalFrame.FIX_EFLAGS, back.regs().rflags & SignalFrame.FIX_EFLAGS);
		assertEquals(~SignalCalls.UNBLOCKABLE, back.mask(), "SIGKILL and SIGSTOP cannot be blocked");
		byte[] expected = fp.xsave().clone();
		java.util.Arrays.fill(expected, 464, 512, (byte) 0);
		assertArrayEquals(java.util.Arrays.copyOf(expected, USER_SIZE), java.util.Arrays.copyOf(back.xsave(),
				USER_SIZE), "the FP state comes back, software bytes cleared");
	}

	@Test
	void aBadFpStateIsABadFrame() {
		SignalFrame.Delivery d = SignalFrame.build(f.space, at(stack + 0x8000), fp, 0, new byte[128], act,
				SignalFrame.AltStack.NONE, 10, 0, 0, 0);
		long sc = d.frame() + SignalFrame.UC_MCONTEXT;
		long fpAt = f.space.readU64(sc + SignalFrame.SC_FPSTATE);
		f.space.writeU32(fpAt + 24, 0x10000); // a reserved MXCSR bit
		assertNull(SignalFrame.sigreturn(f.space, d.frame() + 8, d.regs(), fp));
		f.space.writeU32(fpAt + 24, 0x1f80);
		f.space.writeU64(sc + SignalFrame.SC_FPSTATE, fpAt + 16);
		assertNull(SignalFrame.sigreturn(f.space, d.frame() + 8, d.regs(), fp), "not 64-byte aligned");
		f.space.writeU64(sc + SignalFrame.SC_FPSTATE, fpAt);
		f.space.writeU64(fpAt + 512, 0x1_0000_0007L);
		assertNull(SignalFrame.sigreturn(f.space, d.frame() + 8, d.regs(), fp), "a feature not enabled");
		assertNull(SignalFrame.sigreturn(f.space, LinuxFixture.UNMAPPED, d.regs(), fp), "no frame there");
	}

	@Test
	void aStackThatCannotHoldTheFrameFaults() {
		assertThrows(GuestFault.class, () -> SignalFrame.build(f.space, at(LinuxFixture.UNMAPPED + 0x1000), fp, 0,
				new byte[128], act, SignalFrame.AltStack.NONE, 10, 0, 0, 0));
	}

	@Test
	void saOnstackUsesTheAlternateStackAndNeverOverflowsIt() {
		long altSp = stack + 0x1000, altSize = 0x2000;
		SignalFrame.AltStack alt = new SignalFrame.AltStack(altSp, altSize, 0);
		SignalAction onStack = new SignalAction(act.handler(), act.flags() | SignalFrame.SA_ONSTACK, act.restorer(),
				0);
		SignalFrame.Delivery d = SignalFrame.build(f.space, at(stack + 0xf000), fp, 0, new byte[128], onStack, alt,
				10, 0, 0, 0);
		assertEquals(true, d.frame() > altSp && d.frame() < altSp + altSize);
		assertEquals(altSp, f.space.readU64(d.frame() + SignalFrame.UC_STACK));
		assertEquals(altSize, f.space.readU64(d.frame() + SignalFrame.UC_STACK + 16));
		// Nested on the alternate stack: the frame goes below the current RSP, and one that would leave it faults.
		SignalFrame.Delivery nested = SignalFrame.build(f.space, at(d.frame()), fp, 0, new byte[128], onStack, alt,
				10, 0, 0, 0);
		assertEquals(true, nested.frame() < d.frame() - 128);
		assertThrows(GuestFault.class, () -> SignalFrame.build(f.space, at(altSp + 0x200), fp, 0, new byte[128],
				onStack, alt, 10, 0, 0, 0));
	}

	@Test
	void withoutSaRestorerOrSaSiginfo() {
		SignalAction noRestorer = new SignalAction(act.handler(), SignalFrame.SA_SIGINFO, 0, 0);
		assertThrows(GuestFault.class, () -> SignalFrame.build(f.space, at(stack + 0x8000), fp, 0, new byte[128],
				noRestorer, SignalFrame.AltStack.NONE, 10, 0, 0, 0), "x86-64 needs SA_RESTORER");
		SignalAction plain = new SignalAction(act.handler(), SignalFrame.SA_RESTORER, act.restorer(), 0);
		SignalFrame.Delivery d = SignalFrame.build(f.space, at(stack + 0x8000), fp, 0,
				SignalFrame.senderInfo(10, 0, 1000, 0), plain, SignalFrame.AltStack.NONE, 10, 0, 0, 0);
		assertEquals(0, f.space.readU32(d.frame() + SignalFrame.SIGINFO), "no siginfo written without SA_SIGINFO");
		assertEquals(10, d.regs().rdi);
	}

	@Test
	void theHandlerMaskAddsTheSignalUnlessNodefer() {
		SignalAction a = new SignalAction(1, 0, 0, 1L << 1);
		assertEquals(1L | 2L | 1L << 9, SignalFrame.handlerMask(1, a, 10));
		SignalAction nodefer = new SignalAction(1, SignalFrame.SA_NODEFER, 0, 1L << 1);
		assertEquals(1L | 2L, SignalFrame.handlerMask(1, nodefer, 10));
	}
}
