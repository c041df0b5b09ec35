package org.insight.vmm.linux;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** What only the vCPU can tell a syscall handler, and the FP state only it can change. */
public interface CpuContext {
	/** The running thread's FPU/SSE/AVX state in XSAVE format (clone gives the child a copy). */
	byte[] extendedState();

	/** Replaces the running thread's FP state (a signal handler starts with a clean one; rt_sigreturn restores it). */
	void restoreExtendedState(byte[] state);

	static CpuContext of(Supplier<byte[]> save, Consumer<byte[]> restore) {
		Objects.requireNonNull(save, "save");
		Objects.requireNonNull(restore, "restore");
		return new CpuContext() {
			@Override
			public byte[] extendedState() {
				return save.get();
			}

			@Override
			public void restoreExtendedState(byte[] state) {
				restore.accept(state);
			}
		};
	}
}
