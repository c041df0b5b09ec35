package org.insight.vmm.linux;

import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.sched.GuestThread;

/**
 * One Linux syscall: returns the result the guest sees in RAX (a value, or -errno). A handler that blocks the thread
 * (through the {@link org.insight.vmm.sched.Scheduler}) returns 0; RAX is set when the thread wakes. A
 * {@link GuestFault} from a guest pointer becomes -EFAULT.
 */
@FunctionalInterface
public interface SyscallHandler {
	long handle(LinuxProcess process, GuestThread thread, SyscallArgs args) throws GuestFault;
}
