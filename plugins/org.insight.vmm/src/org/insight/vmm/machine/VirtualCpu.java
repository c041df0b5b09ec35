package org.insight.vmm.machine;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;

/**
 * The vCPU as the {@link VcpuLoop} uses it. {@link KvmCpu} is the real one; tests give the loop a scripted one, so
 * the whole exit path runs without /dev/kvm.
 */
public interface VirtualCpu {
	/** Runs the guest until the next exit. */
	Exit run();

	/** The general registers as of the last exit (a copy the caller may change). */
	Regs regs();

	/** The registers the guest resumes with. */
	void setRegs(Regs regs);

	/** The privilege level the vCPU was at when it exited (0 or 3), from its segment registers. */
	int privilegeLevel();

	/** CR2: the address of the last page fault. */
	long faultAddress();

	/** The FPU/SSE/AVX state (XSAVE format). */
	byte[] saveExtendedState();

	void restoreExtendedState(byte[] state);

	/** The FS base (MSR 0xC0000100), which libc's thread pointer lives in. */
	void setFsBase(long base);

	/** Makes a running or the next {@link #run()} return soon with {@link Exit.Interrupted}; any thread. */
	void kick();
}
