package org.insight.vmm.machine;

import org.insight.vmm.linux.Signals;

/** x86 exception vectors: names, which push an error code, and the signal Linux sends for each. */
public final class ExceptionVectors {
	public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
			SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20, CP = 21;
	/** The stubs cover vectors 0..31. */
	public static final int COUNT = 32;

	private static final String[] NAMES = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO",
			"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP" };
	private static final String[] DESCRIPTIONS = { "divide error", "debug trap", "non-maskable interrupt",
			"breakpoint", "overflow", "bound range exceeded", "invalid opcode", "device not available",
			"double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
			"stack-segment fault", "general protection fault", "page fault", "reserved vector 15",
			"x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
			"virtualization exception", "control protection fault" };

	private ExceptionVectors() {
	}

	/** Whether the CPU pushes an error code for {@code vector}. */
	public static boolean hasErrorCode(int vector) {
		return vector == DF || vector >= TS && vector <= PF || vector == AC || vector == CP || vector == 29
				|| vector == 30;
	}

	/** "#PF" for 14, "vector 25" for one without a name. */
	public static String name(int vector) {
		return vector >= 0 && vector < NAMES.length ? NAMES[vector] : "vector " + vector;
	}

	public static String describe(int vector) {
		return vector >= 0 && vector < DESCRIPTIONS.length ? DESCRIPTIONS[vector] : "exception vector " + vector;
	}

	/** The signal Linux gives a user process for an exception it does not handle itself. */
	public static int signal(int vector) {
		return switch (vector) {
		case DE, MF, XM -> Signals.SIGFPE;
		case DB, BP -> Signals.SIGTRAP;
		case UD -> Signals.SIGILL;
		case NP, SS, AC, MC -> Signals.SIGBUS;
		default -> Signals.SIGSEGV;
		};
	}
}
