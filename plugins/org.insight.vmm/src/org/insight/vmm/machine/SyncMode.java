package org.insight.vmm.machine;

import java.util.Locale;
import java.util.Optional;

/** Where threads may switch (ARCHITECTURE.md section 3). */
public enum SyncMode {
	/** Only at syscalls and exceptions: the fastest. */
	SYSCALLS,
	/**
	 * Also at calls of the pthread mutex, rwlock, condition-variable, semaphore and spin functions (int3 at their
	 * entries), so threads can be preempted inside critical sections.
	 */
	LOCKS;

	/** The command-line spelling: "syscalls", "locks". */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** The mode spelt {@code label}, in any case. */
	public static Optional<SyncMode> ofLabel(String label) {
		for (SyncMode m : values()) {
			if (m.label().equalsIgnoreCase(label)) {
				return Optional.of(m);
			}
		}
		return Optional.empty();
	}
}
