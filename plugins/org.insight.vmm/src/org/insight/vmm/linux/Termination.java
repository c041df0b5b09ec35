package org.insight.vmm.linux;

/** How the guest process ended. */
public sealed interface Termination {
	/** The status a shell sees: the exit code, or 128 + the signal. */
	int status();

	/** One line: "exit_group(3)", "killed by SIGABRT (tgkill on itself)". */
	String describe();

	/** exit_group, or the last thread's exit. */
	record Exited(int code) implements Termination {
		@Override
		public int status() {
			return code & 0xff;
		}

		@Override
		public String describe() {
			return "exited with status " + status();
		}
	}

	/** Killed by a signal: one the guest sent itself, or a fault (SIGSEGV and friends). */
	record Signaled(int signal, String cause) implements Termination {
		@Override
		public int status() {
			return 128 + signal;
		}

		@Override
		public String describe() {
			return "killed by " + Signals.name(signal) + ": " + cause;
		}
	}
}
