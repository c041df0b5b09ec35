package org.insight.replay.trace;

/** Where threads may switch (ARCHITECTURE.md section 3). */
public enum SyncMode {
	/** Only at syscalls and exceptions: the fastest. */
	SYSCALLS,
	/** Also at calls of the pthread lock functions, so threads can be preempted inside critical sections. */
	LOCKS;

	/** The command-line spelling: "syscalls", "locks". */
	public String label() {
		return name().toLowerCase();
	}
}
