package org.insight.vmm.machine;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;
import org.insight.vmm.linux.SyscallArgs;
import org.insight.vmm.memory.AddressSpaceConfig;

/**
 * Decides what a vCPU exit means: a pure function of the exit, the registers at the exit and the machine's facts
 * (the CPL0 stack is read through {@link MachineFacts#kernelStack()}). It changes nothing, so tests drive it with
 * fake exits, as Firecracker's tests drive {@code handle_kvm_exit}.
 * <p>
 * Where RIP points at an OUT exit depends on KVM: PVM (measured here) has already moved it past the 2-byte
 * {@code out}, while VMX stops at the instruction and finishes it on the next KVM_RUN unless RIP was changed. Both
 * are accepted.
 */
public final class ExitHandler {
	/** The RFLAGS bits sysret takes from R11: everything but RF, VM and the reserved bits; bit 1 is always set. */
	public static final long SYSRET_FLAGS_MASK = 0x3c7fd7L;

	private ExitHandler() {
	}

	public static ExitAction decide(Exit exit, Regs regs, MachineFacts facts) {
		return switch (exit) {
		case Exit.Io io -> io(io, regs, facts);
		case Exit.Interrupted i -> new ExitAction.Kick(regs.rip, facts.inKernelArea(regs.rip));
		case Exit.Shutdown s -> new ExitAction.Fatal(String.format("the vCPU shut down (KVM_EXIT_SHUTDOWN: a triple "
				+ "fault) at rip 0x%x, rsp 0x%x: the machine's descriptor tables, stubs or page tables are broken "
				+ "(every level of a guest page table needs U/S=1 here; on KVM under PVM, if the supervisor-only "
				+ "kernel area is the cause, run with " + AddressSpaceConfig.USER_MAPPED_ENV + "=user)", regs.rip,
				regs.rsp));
		case Exit.Hlt h -> new ExitAction.Fatal(String.format("KVM_EXIT_HLT at rip 0x%x: guest code runs at CPL3, "
				+ "where HLT faults, so the vCPU is not in the mode the machine set up", regs.rip));
		case Exit.Mmio m -> new ExitAction.Fatal(String.format("MMIO %s at guest physical 0x%x (rip 0x%x): no guest "
				+ "page maps outside guest memory, so a page table entry is corrupt", m.write() ? "write" : "read",
				m.address(), regs.rip));
		case Exit.FailEntry f -> new ExitAction.Fatal(String.format("KVM could not enter the guest "
				+ "(KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x) at rip 0x%x", f.hardwareReason(), regs.rip));
		case Exit.InternalError e -> new ExitAction.Fatal(String.format("KVM internal error (KVM_EXIT_INTERNAL_ERROR, "
				+ "suberror %d%s) at rip 0x%x: %s", e.suberror(), e.suberror() == 1 ? ": emulation failed" : "",
				regs.rip, e));
		case Exit.Unknown u -> new ExitAction.Fatal(String.format("unexpected KVM exit reason %d at rip 0x%x",
				u.reason(), regs.rip));
		};
	}

	private static ExitAction io(Exit.Io io, Regs regs, MachineFacts f) {
		int port = io.port();
		boolean ours = port == f.gatePort() || port >= f.exceptionPortBase()
				&& port < f.exceptionPortBase() + ExceptionVectors.COUNT;
		if (!ours) {
			return new ExitAction.Fatal(String.format("port I/O to 0x%x at rip 0x%x: the TSS I/O bitmap should "
					+ "have refused it", port, regs.rip));
		}
		if (!io.out() || io.size() != 1 || io.count() != 1) {
			return new ExitAction.Violation(regs.rip, String.format("%s of %d x %d bytes on the machine's port 0x%x",
					io.out() ? "string output" : "input", io.count(), io.size(), port));
		}
		if (port == f.gatePort()) {
			if (regs.rip != f.gate() + MachineFacts.OUT_LENGTH && regs.rip != f.gate()) {
				return new ExitAction.Violation(regs.rip, String.format("output to the syscall gate's port 0x%x "
						+ "from outside the gate", port));
			}
			return new ExitAction.Syscall(regs.rax,
					new SyscallArgs(regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9), regs.rcx,
					(regs.r11 & SYSRET_FLAGS_MASK) | 2);
		}
		int vector = port - f.exceptionPortBase();
		long stub = f.stub(vector);
		if (regs.rip != stub + MachineFacts.OUT_LENGTH && regs.rip != stub) {
			return new ExitAction.Violation(regs.rip, String.format("output to exception port 0x%x from outside "
					+ "its stub", port));
		}
		boolean hasError = ExceptionVectors.hasErrorCode(vector);
		long frame = f.kernelStackTop() - (hasError ? 48 : 40);
		if (regs.rsp != frame) {
			return new ExitAction.Fatal(String.format("%s (%s) with the CPL0 stack at 0x%x instead of 0x%x: an "
					+ "exception inside the machine's own stubs", ExceptionVectors.name(vector),
					ExceptionVectors.describe(vector), regs.rsp, frame));
		}
		MachineFacts.KernelStack stack = f.kernelStack();
		long error = hasError ? stack.readQword(frame) : 0;
		long at = hasError ? frame + 8 : frame;
		long rip = stack.readQword(at);
		long cs = stack.readQword(at + 8);
		long rflags = stack.readQword(at + 16);
		long rsp = stack.readQword(at + 24);
		long ss = stack.readQword(at + 32);
		if ((cs & 3) != 3) {
			return new ExitAction.Fatal(String.format("%s (%s) at CPL0, rip 0x%x, cs 0x%x: the machine's own code "
					+ "faulted", ExceptionVectors.name(vector), ExceptionVectors.describe(vector), rip, cs));
		}
		return new ExitAction.GuestException(vector, error, rip, cs, rflags, rsp, ss);
	}
}
