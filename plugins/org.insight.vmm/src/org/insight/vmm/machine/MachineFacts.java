package org.insight.vmm.machine;

import org.insight.vmm.memory.MachineLayout;

/**
 * The few facts about the machine that {@link ExitHandler} needs to read an exit: where the gate and the stubs are,
 * their ports, the kernel area, the CPL0 stack, and a way to read that stack (identity mapped, so guest physical).
 */
public record MachineFacts(long gate, int gatePort, long stubs, long stubSize, int exceptionPortBase,
		long kernelAreaStart, long kernelAreaEnd, long kernelStackTop, KernelStack kernelStack) {

	/** Reads one 64-bit word of the CPL0 stack by guest physical address. */
	@FunctionalInterface
	public interface KernelStack {
		long readQword(long gpa);
	}

	/** The length of the {@code out imm8, al} instruction in the gate and the stubs. */
	public static final int OUT_LENGTH = 2;
	/** User code and data selectors (GDT entries 6 and 5 at RPL 3). */
	public static final int USER_CS = 0x33, USER_SS = 0x2b;

	/** The layout of {@link MachineLayout}, reading the stack with {@code stack}. */
	public static MachineFacts standard(KernelStack stack) {
		return new MachineFacts(MachineLayout.GATE, MachineLayout.GATE_PORT, MachineLayout.STUBS,
				MachineLayout.STUB_SIZE, MachineLayout.EXCEPTION_PORT_BASE, MachineLayout.KERNEL_AREA_START,
				MachineLayout.KERNEL_AREA_END, MachineLayout.KERNEL_STACK_TOP, stack);
	}

	public boolean inKernelArea(long rip) {
		return rip >= kernelAreaStart && rip < kernelAreaEnd;
	}

	public long stub(int vector) {
		return stubs + stubSize * vector;
	}
}
