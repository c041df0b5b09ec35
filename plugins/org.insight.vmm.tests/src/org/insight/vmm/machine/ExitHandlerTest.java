package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;
import org.insight.vmm.linux.SyscallArgs;
import org.insight.vmm.memory.MachineLayout;
import org.junit.jupiter.api.Test;

/** The exit handler is a pure function: fake exits in, actions out (Firecracker tests handle_kvm_exit this way). */
class ExitHandlerTest {
	private final Map<Long, Long> stack = new HashMap<>();
	private final MachineFacts facts = MachineFacts.standard(gpa -> stack.getOrDefault(gpa, 0xdeadL));

	private static Exit out(int port) {
		return new Exit.Io(port, true, 1, 1, new byte[] { 0 });
	}

	private static Regs at(long rip) {
		Regs r = new Regs();
		r.rip = rip;
		return r;
	}

	@Test
	void aGateExitIsASyscallReturningToRcxWithSysretFlags() {
		Regs r = at(MachineLayout.GATE + 2);
		r.rax = 202;
		r.rdi = 1;
		r.rsi = 2;
		r.rdx = 3;
		r.r10 = 4;
		r.r8 = 5;
		r.r9 = 6;
		r.rcx = 0x401236;
		r.r11 = 0xffff_ffff_ffff_ffffL;
		ExitAction a = ExitHandler.decide(out(0xf0), r, facts);
		assertEquals(new ExitAction.Syscall(202, new SyscallArgs(1, 2, 3, 4, 5, 6), 0x401236, 0x3c7fd7), a);
		assertEquals(a, ExitHandler.decide(out(0xf0), at0(r, MachineLayout.GATE), facts),
				"VMX and SVM stop at the out instruction; that is a syscall too");
	}

	private static Regs at0(Regs r, long rip) {
		Regs c = r.copy();
		c.rip = rip;
		return c;
	}

	@Test
	void aWriteToTheGatePortFromElsewhereIsAViolation() {
		ExitAction a = ExitHandler.decide(out(0xf0), at(0x401000), facts);
		ExitAction.Violation v = assertInstanceOf(ExitAction.Violation.class, a);
		assertEquals(0x401000, v.rip());
		assertInstanceOf(ExitAction.Violation.class, ExitHandler.decide(new Exit.Io(0xf0, false, 1, 1, new byte[1]),
				at(MachineLayout.GATE + 2), facts), "an IN on the gate port");
		assertInstanceOf(ExitAction.Violation.class, ExitHandler.decide(out(0x8e), at(0x401000), facts),
				"a forged exception exit");
		assertInstanceOf(ExitAction.Fatal.class, ExitHandler.decide(out(0x60), at(0x401000), facts),
				"a port the I/O bitmap refuses cannot exit");
	}

	private void frame(long at, long... words) {
		for (int i = 0; i < words.length; i++) {
			stack.put(at + 8L * i, words[i]);
		}
	}

	@Test
	void anExceptionExitReadsTheFrameTheCpuPushed() {
		long top = MachineLayout.KERNEL_STACK_TOP;
		frame(top - 48, 0x6, 0x401136, 0x33, 0x10246, 0x7ffd_0000L, 0x2b);
		Regs r = at(MachineLayout.STUBS + 14 * 16 + 2);
		r.rsp = top - 48;
		ExitAction a = ExitHandler.decide(out(0x80 + 14), r, facts);
		assertEquals(new ExitAction.GuestException(14, 0x6, 0x401136, 0x33, 0x10246, 0x7ffd_0000L, 0x2b), a);
		assertEquals("#PF", ((ExitAction.GuestException) a).vectorName());

		frame(top - 40, 0x401200, 0x33, 0x246, 0x7ffd_1000L, 0x2b);
		Regs u = at(MachineLayout.STUBS + 6 * 16);
		u.rsp = top - 40;
		assertEquals(new ExitAction.GuestException(6, 0, 0x401200, 0x33, 0x246, 0x7ffd_1000L, 0x2b),
				ExitHandler.decide(out(0x86), u, facts), "#UD pushes no error code");
	}

	@Test
	void anExceptionInsideTheMachinesOwnCodeIsFatal() {
		Regs r = at(MachineLayout.STUBS + 13 * 16 + 2);
		r.rsp = 0x7ffd_0000L;
		ExitAction.Fatal f = assertInstanceOf(ExitAction.Fatal.class, ExitHandler.decide(out(0x80 + 13), r, facts));
		assertTrue(f.reason().contains("#GP"), f.reason());
		long top = MachineLayout.KERNEL_STACK_TOP;
		frame(top - 48, 0, MachineLayout.GATE + 4, 0x08, 0x2, 0x1f0000, 0x10);
		Regs k = at(MachineLayout.STUBS + 13 * 16 + 2);
		k.rsp = top - 48;
		ExitAction.Fatal cpl0 = assertInstanceOf(ExitAction.Fatal.class, ExitHandler.decide(out(0x8d), k, facts));
		assertTrue(cpl0.reason().contains("at CPL0"), cpl0.reason());
	}

	@Test
	void kicksKnowWhetherTheyLandedInTheKernelArea() {
		assertEquals(new ExitAction.Kick(0x401000, false), ExitHandler.decide(new Exit.Interrupted(), at(0x401000),
				facts));
		assertEquals(new ExitAction.Kick(MachineLayout.GATE, true), ExitHandler.decide(new Exit.Interrupted(),
				at(MachineLayout.GATE), facts));
		assertEquals(new ExitAction.Kick(MachineLayout.STUBS + 0x42, true), ExitHandler.decide(
				new Exit.Interrupted(), at(MachineLayout.STUBS + 0x42), facts));
	}

	@Test
	void everythingElseIsFatalAndSaysWhat() {
		Regs r = at(0x401000);
		assertTrue(fatal(new Exit.Shutdown(), r).contains("triple fault"));
		assertTrue(fatal(new Exit.Hlt(), r).contains("HLT"));
		assertTrue(fatal(new Exit.Mmio(0xfee0_0000L, true, new byte[4]), r).contains("0xfee00000"));
		assertTrue(fatal(new Exit.FailEntry(0x21), r).contains("hardware reason 0x21"));
		assertTrue(fatal(new Exit.InternalError(1, new long[] { 2 }), r).contains("emulation failed"));
		assertTrue(fatal(new Exit.Unknown(99), r).contains("exit reason 99"));
	}

	private String fatal(Exit e, Regs r) {
		return assertInstanceOf(ExitAction.Fatal.class, ExitHandler.decide(e, r, facts)).reason();
	}
}
