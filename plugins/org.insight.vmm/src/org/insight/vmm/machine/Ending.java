package org.insight.vmm.machine;

import java.util.Optional;

import org.insight.vmm.linux.Termination;
import org.insight.vmm.sched.DeadlockReport;

/** How a {@link VcpuLoop} finished. */
public sealed interface Ending {
	/**
	 * The guest process ended: exit, exit_group, a signal it sent itself, or a fault. {@code crash} describes a
	 * fault ("SIGSEGV at 0x0 in main+0x1c ...").
	 */
	record Terminated(Termination termination, Optional<String> crash) implements Ending {
	}

	/** Every thread blocked for good, or some threads in a wait-for cycle over mutexes ({@link DeadlockReport}). */
	record Deadlocked(DeadlockReport report) implements Ending {
	}

	/** The machine stopped the guest from outside. */
	record Stopped(HangReport report) implements Ending {
	}
}
