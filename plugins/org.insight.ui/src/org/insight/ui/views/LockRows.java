package org.insight.ui.views;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

import org.eclipse.osgi.util.NLS;
import org.insight.core.analysis.DeadlockReport.Frame;
import org.insight.core.analysis.LockProfileReport;
import org.insight.core.analysis.LockProfileReport.Stats;
import org.insight.ui.Messages;

/** The Lock Profile view's tree, built from a {@link LockProfileReport}: a row per lock, under it a row per site. */
public final class LockRows {
	/** The numeric columns, each a statistic of a lock or a site; the times are virtual nanoseconds. */
	public enum Column {
		ACQUISITIONS(Messages.Locks_acquisitions, Stats::acquisitions, false),
		CONTENDED(Messages.Locks_contended, Stats::contended, false),
		FAILED_TRYLOCKS(Messages.Locks_failedTrylocks, Stats::failedTrylocks, false),
		WAIT_TOTAL(Messages.Locks_waitTotal, Stats::waitTotalNs, true),
		WAIT_MAX(Messages.Locks_waitMax, Stats::waitMaxNs, true),
		WAIT_MEAN(Messages.Locks_waitMean, Stats::waitMeanNs, true),
		HOLD_TOTAL(Messages.Locks_holdTotal, Stats::holdTotalNs, true),
		HOLD_MAX(Messages.Locks_holdMax, Stats::holdMaxNs, true),
		HOLD_MEAN(Messages.Locks_holdMean, Stats::holdMeanNs, true),
		HELD_AT_EXIT(Messages.Locks_heldAtExit, Stats::heldAtExit, false);

		private final String title;
		private final ToLongFunction<Stats> value;
		private final boolean time;

		Column(String title, ToLongFunction<Stats> value, boolean time) {
			this.title = title;
			this.value = value;
			this.time = time;
		}

		public String title() {
			return title;
		}

		public long of(Row row) {
			return value.applyAsLong(row.stats());
		}

		String text(Row row) {
			long v = of(row);
			return time ? Nanos.format(v) : Long.toString(v);
		}
	}

	/** A lock (its name, kind and mode) or one of its sites (the function, the call site's file:line). */
	public static final class Row {
		private final boolean lock;
		private final String text;
		private final String location;
		private final Stats stats;
		private final List<Frame> sources;
		private final List<Row> children = new ArrayList<>();
		private Row parent;

		Row(boolean lock, String text, String location, Stats stats, List<Frame> sources) {
			this.lock = lock;
			this.text = text;
			this.location = location;
			this.stats = stats;
			this.sources = sources;
		}

		public boolean isLock() {
			return lock;
		}

		public String text() {
			return text;
		}

		public String location() {
			return location;
		}

		public Stats stats() {
			return stats;
		}

		/** The whole {@code path:line} of a site (the location column shows the file's name). */
		public String fullLocation() {
			return sources.isEmpty() ? location : sources.get(0).fileLine();
		}

		/** The frame a double-click opens: a site's call site; none for a lock. */
		public List<Frame> sources() {
			return sources;
		}

		public List<Row> children() {
			return children;
		}

		public Row parent() {
			return parent;
		}

		@Override
		public String toString() {
			return text + (location.isEmpty() ? "" : " " + location) + " " + stats.acquisitions();
		}
	}

	private LockRows() {
	}

	/** The function whose call took the lock at the site, and the lock call when it is another ("dine (pthread_mutex_lock)"). */
	private static String siteText(String function, Frame f) {
		String caller = f == null ? "" : f.function();
		if (caller.isEmpty() || caller.equals("??")) {
			return function.isEmpty() ? Messages.Locks_unknownSite : function;
		}
		return function.isEmpty() || function.equals(caller) ? caller : NLS.bind(Messages.Locks_site, caller, function);
	}

	static List<Row> of(LockProfileReport report) {
		List<Row> rows = new ArrayList<>();
		for (LockProfileReport.Lock l : report.locks()) {
			Row lock = new Row(true, l.name(), NLS.bind(Messages.Locks_lock, new Object[] { l.address(), l.kind(), l
					.mode() }), l.stats(), List.of());
			for (LockProfileReport.Site s : l.sites()) {
				Frame f = s.site().orElse(null);
				Row site = new Row(false, siteText(s.function(), f), Views.shortLocation(f), s.stats(), f == null || !f
						.hasSource() ? List.of() : List.of(f));
				site.parent = lock;
				lock.children.add(site);
			}
			rows.add(lock);
		}
		return rows;
	}
}
