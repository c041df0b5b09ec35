package org.insight.ui.views;

import java.util.Locale;

/** Virtual nanoseconds as the profile views show them: "850 ns", "12.3 µs", "4.56 ms", "1.20 s". */
final class Nanos {
	private Nanos() {
	}

	static String format(long ns) {
		if (ns < 1_000) {
			return ns + " ns";
		}
		if (ns < 1_000_000) {
			return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
		}
		if (ns < 1_000_000_000) {
			return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
		}
		return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
	}

	/** {@code part} as a percentage of {@code whole}: "45.0%"; "" when the whole is 0. */
	static String share(long part, long whole) {
		return whole <= 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
	}
}
