package org.insight.analysis.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.locks.Column;
import org.insight.analysis.locks.LockProfile;
import org.insight.analysis.locks.LockStats;
import org.insight.analysis.source.SourceLocation;

/**
 * The lock profile as a table, in the manner of mutrace's and {@code /proc/lock_stat}'s: one row per lock (named
 * "forks+24"), then one row per acquisition site of it (function and file:line of the lock call), each with the
 * counts and the wait and hold times (total, max, mean) in virtual microseconds.
 */
final class LockProfileText {
	/** The columns' names are those {@code --sort} takes. */
	private static final String[] HEADS = Stream.concat(Stream.of("mode"),
			Column.labels().stream()).toArray(String[]::new);

	private final AnalysisResult r;
	private final PrintWriter out;

	private LockProfileText(AnalysisResult r, PrintWriter out) {
		this.r = r;
		this.out = out;
	}

	static void write(AnalysisResult r, PrintWriter out) {
		new LockProfileText(r, out).write(r.locks());
	}

	private void write(LockProfile p) {
		LockStats t = p.total();
		out.println("Lock profile: " + plural(p.all(), "lock") + ", " + plural(t.acquisitions(), "acquisition") + ", "
				+ t.contended() + " contended, " + plural(t.failedTrylocks(), "failed trylock") + "; sorted by "
				+ p.order().label() + (p.locks().size() < p.all() ? ", the top " + p.locks().size() + " shown" : "")
				+ "; times in virtual microseconds");
		if (p.locks().isEmpty()) {
			return;
		}
		List<String[]> rows = new ArrayList<>();
		rows.add(row("lock / acquisition site", HEADS[0], null));
		for (LockProfile.Lock l : p.locks()) {
			rows.add(row(r.names().of(l.lock()) + " (" + l.lock().kind() + ")", l.mode(), l.stats()));
			for (LockProfile.Site s : l.sites()) {
				rows.add(row("  " + site(s), "", s.stats()));
			}
		}
		int[] width = new int[rows.get(0).length];
		for (String[] row : rows) {
			for (int i = 0; i < row.length; i++) {
				width[i] = Math.max(width[i], row[i].length());
			}
		}
		for (String[] row : rows) {
			StringBuilder b = new StringBuilder("  ");
			b.append(pad(row[0], width[0], false)).append("  ").append(pad(row[1], width[1], false));
			for (int i = 2; i < row.length; i++) {
				b.append("  ").append(pad(row[i], width[i], true));
			}
			out.println(b.toString().stripTrailing());
		}
		out.println("  contended: held by another thread in an incompatible mode when requested; a condition wait's"
				+ " retaking of its mutex");
		out.println("  is an acquisition with no wait. Virtual time: guest execution time, without the VMM's exit"
				+ " handling or idle time.");
	}

	private static String[] row(String label, String mode, LockStats s) {
		if (s == null) {
			String[] head = new String[HEADS.length + 1];
			head[0] = label;
			System.arraycopy(HEADS, 0, head, 1, HEADS.length);
			return head;
		}
		List<String> cells = new ArrayList<>(List.of(label, mode));
		for (Column c : Column.values()) {
			cells.add(c.time() ? us(c.of(s)) : Long.toString(c.of(s)));
		}
		return cells.toArray(String[]::new);
	}

	private String site(LockProfile.Site s) {
		if (s.stack().depth() == 0) {
			return "an unknown place (" + s.function() + ")";
		}
		SourceLocation l = r.lines().at(s.stack().callSite(0));
		SourceLocation.Frame f = l.top();
		return f.function() + (f.file() != null ? " " + f.fileLine() : "") + " (" + s.function() + ")";
	}

	private static String us(long nanos) {
		return String.format(Locale.ROOT, "%.2f", nanos / 1000.0);
	}

	private static String pad(String s, int width, boolean right) {
		String fill = " ".repeat(Math.max(0, width - s.length()));
		return right ? fill + s : s + fill;
	}

	private static String plural(long n, String what) {
		return n + " " + what + (n == 1 ? "" : "s");
	}
}
