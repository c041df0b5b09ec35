package org.insight.vmm.machine;

import org.insight.vmm.linux.SyscallArgs;

/** What a vCPU exit means for the machine: the result of {@link ExitHandler#decide}. */
public sealed interface ExitAction {
	/**
	 * The guest executed {@code syscall} and reached the gate. The thread resumes at {@code returnRip} (its RCX)
	 * with {@code returnFlags} (its R11, as sysret would load it), and the result in RAX.
	 */
	record Syscall(long nr, SyscallArgs args, long returnRip, long returnFlags) implements ExitAction {
	}

	/**
	 * A CPU exception of guest code reached its CPL0 stub. The frame values are those the CPU pushed: where the
	 * guest was when it faulted. {@code errorCode} is 0 for vectors without one.
	 */
	record GuestException(int vector, long errorCode, long rip, long cs, long rflags, long rsp, long ss)
			implements ExitAction {
		public String vectorName() {
			return ExceptionVectors.name(vector);
		}
	}

	/**
	 * A kick interrupted the guest. {@code inKernelArea}: it stopped inside a stub or the gate, where the thread
	 * must not be switched (its state is half-way through an exit).
	 */
	record Kick(long rip, boolean inKernelArea) implements ExitAction {
	}

	/**
	 * Guest code did something Linux answers with SIGSEGV and that did not fault by itself here: port I/O to one of
	 * the machine's own ports from outside the gate and stubs.
	 */
	record Violation(long rip, String what) implements ExitAction {
	}

	/** The machine cannot go on: a triple fault, a KVM internal error, an exit that should never happen. */
	record Fatal(String reason) implements ExitAction {
	}
}
