package org.insight.testsupport;

/**
 * Which selection of the large test matrices runs: the one place that reads {@code insight.matrix}.
 * <ul>
 * <li>{@code ci} (the default): a fixed selection that still runs every guest program of both manifests once per libc
 * (see {@code RecordReplayGuestTest}, {@code tools/CliEndToEnd.java} and the README's "What CI runs");</li>
 * <li>{@code full}: every combination ({@code ./insight test --full}).</li>
 * </ul>
 * System property {@code insight.matrix}, else environment variable {@code INSIGHT_MATRIX}; anything else than
 * {@code ci} or {@code full} is refused, so a typo cannot shrink or grow a run silently.
 */
public final class TestMatrix {
	public static final String PROPERTY = "insight.matrix";

	private TestMatrix() {
	}

	/** "ci" or "full". */
	public static String name() {
		String v = System.getProperty(PROPERTY);
		if (v == null || v.isBlank()) {
			v = System.getenv("INSIGHT_MATRIX");
		}
		if (v == null || v.isBlank()) {
			return "ci";
		}
		v = v.strip();
		if (!v.equals("ci") && !v.equals("full")) {
			throw new IllegalStateException(PROPERTY + " (or INSIGHT_MATRIX) must be ci or full, not '" + v + "'");
		}
		return v;
	}

	/** True when every combination runs. */
	public static boolean full() {
		return name().equals("full");
	}
}
