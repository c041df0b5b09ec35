package org.insight.vmm.linux;

/** Linux x86-64 signal numbers, names and default actions. */
public final class Signals {
	private Signals() {
	}

	public static final int SIGHUP = 1;
	public static final int SIGINT = 2;
	public static final int SIGQUIT = 3;
	public static final int SIGILL = 4;
	public static final int SIGTRAP = 5;
	public static final int SIGABRT = 6;
	public static final int SIGBUS = 7;
	public static final int SIGFPE = 8;
	public static final int SIGKILL = 9;
	public static final int SIGUSR1 = 10;
	public static final int SIGSEGV = 11;
	public static final int SIGUSR2 = 12;
	public static final int SIGPIPE = 13;
	public static final int SIGALRM = 14;
	public static final int SIGTERM = 15;
	public static final int SIGSTKFLT = 16;
	public static final int SIGCHLD = 17;
	public static final int SIGCONT = 18;
	public static final int SIGSTOP = 19;
	public static final int SIGTSTP = 20;
	public static final int SIGTTIN = 21;
	public static final int SIGTTOU = 22;
	public static final int SIGURG = 23;
	public static final int SIGXCPU = 24;
	public static final int SIGXFSZ = 25;
	public static final int SIGVTALRM = 26;
	public static final int SIGPROF = 27;
	public static final int SIGWINCH = 28;
	public static final int SIGIO = 29;
	public static final int SIGPWR = 30;
	public static final int SIGSYS = 31;
	/** Highest signal number (SIGRTMAX). */
	public static final int MAX = 64;

	private static final String[] NAMES = { "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
			"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
			"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
			"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS" };

	/** What a signal does when the guest installed no handler. */
	public enum DefaultAction {
		TERMINATE, IGNORE, STOP, CONTINUE
	}

	/** "SIGABRT" for 6, "SIGRTMIN+3" for 37, "signal 99" outside 1..64. */
	public static String name(int signal) {
		if (signal > 0 && signal < NAMES.length) {
			return NAMES[signal];
		}
		if (signal >= 32 && signal <= MAX) {
			return signal == 32 ? "SIGRTMIN" : "SIGRTMIN+" + (signal - 32);
		}
		return "signal " + signal;
	}

	/** Linux's default action (core dumps count as termination). */
	public static DefaultAction defaultAction(int signal) {
		return switch (signal) {
		case SIGCHLD, SIGURG, SIGWINCH -> DefaultAction.IGNORE;
		case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU -> DefaultAction.STOP;
		case SIGCONT -> DefaultAction.CONTINUE;
		default -> DefaultAction.TERMINATE;
		};
	}
}
