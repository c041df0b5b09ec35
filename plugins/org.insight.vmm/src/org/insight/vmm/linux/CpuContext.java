package org.insight.vmm.linux;

/** What only the vCPU can tell a syscall handler. */
@FunctionalInterface
public interface CpuContext {
	/** The running thread's FPU/SSE/AVX state in XSAVE format (clone gives the child a copy). */
	byte[] extendedState();
}
