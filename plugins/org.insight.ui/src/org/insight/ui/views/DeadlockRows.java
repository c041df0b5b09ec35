package org.insight.ui.views;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.osgi.util.NLS;
import org.insight.core.analysis.DeadlockReport;
import org.insight.core.analysis.DeadlockReport.Edge;
import org.insight.core.analysis.DeadlockReport.Finding;
import org.insight.core.analysis.DeadlockReport.Frame;
import org.insight.core.analysis.DeadlockReport.Stack;
import org.insight.core.analysis.SourceLookup;
import org.insight.ui.Messages;

/**
 * The Deadlocks view's tree, built from a {@link DeadlockReport}: finding, edge, acquisition stack, frame. Rows are
 * compared by identity (the same frame may appear under several edges).
 */
public final class DeadlockRows {
	/** What a row stands for. */
	public enum Kind {
		FINDING, FILTERED, EDGE, STACK, FRAME
	}

	/**
	 * One row: its text, its location column ({@code file:line} or ""), whether it is greyed (a filtered cycle and
	 * what is under it), and the frame a double-click opens (its own, or the first one with a source position below).
	 */
	public static final class Row {
		private final Kind kind;
		private final String text;
		private final String location;
		private final boolean greyed;
		private final List<Frame> sources;
		private final List<Row> children = new ArrayList<>();
		private Row parent;

		Row(Kind kind, String text, String location, boolean greyed, List<Frame> sources) {
			this.kind = kind;
			this.text = text;
			this.location = location;
			this.greyed = greyed;
			this.sources = sources;
		}

		public Kind kind() {
			return kind;
		}

		public String text() {
			return text;
		}

		public String location() {
			return location;
		}

		public boolean greyed() {
			return greyed;
		}

		/**
		 * The frames with a source position that a double-click may open, innermost first (it opens the first one
		 * found in the workspace, else on disk); empty when none has one.
		 */
		public List<Frame> sources() {
			return sources;
		}

		public List<Row> children() {
			return children;
		}

		public Row parent() {
			return parent;
		}

		Row add(Row child) {
			child.parent = this;
			children.add(child);
			return child;
		}

		@Override
		public String toString() {
			return location.isEmpty() ? text : text + " @ " + location;
		}
	}

	private DeadlockRows() {
	}

	/** The top rows: the actual deadlocks the run ended in, the potential deadlocks, then the filtered cycles. */
	public static List<Row> of(DeadlockReport report) {
		List<Row> rows = new ArrayList<>();
		for (Finding f : report.actual()) {
			rows.add(finding(f, true));
		}
		for (Finding f : report.findings()) {
			rows.add(finding(f, false));
		}
		for (Finding f : report.filtered()) {
			rows.add(finding(f, false));
		}
		return rows;
	}

	private static Row finding(Finding f, boolean actual) {
		String cycle = cycle(f.locks());
		String text = actual ? NLS.bind(Messages.Deadlocks_actual, new Object[] { f.id(), f.locks().size(), cycle })
				: f.filtered()
						? NLS.bind(Messages.Deadlocks_filtered, new Object[] { f.id(), cycle, String.join("; ",
								f.reasons()) })
						: NLS.bind(Messages.Deadlocks_finding, new Object[] { f.id(), f.locks().size(), cycle });
		List<Frame> first = f.edges().isEmpty() ? List.of() : sources(f.edges().get(0).acquired());
		Row row = new Row(f.filtered() ? Kind.FILTERED : Kind.FINDING, text, "", f.filtered(), first);
		for (Edge e : f.edges()) {
			row.add(edge(e, f.filtered(), actual));
		}
		return row;
	}

	private static Row edge(Edge e, boolean greyed, boolean actual) {
		List<Frame> sources = sources(e.acquired());
		Row row = new Row(Kind.EDGE, NLS.bind(actual ? Messages.Deadlocks_actualEdge : Messages.Deadlocks_edge,
				new Object[] { e.from(), e.to(), e.count(), e.thread() }), location(sources), greyed, sources);
		row.add(stack(NLS.bind(Messages.Deadlocks_held, e.from(), e.held().function()), e.held(), greyed));
		row.add(stack(NLS.bind(actual ? Messages.Deadlocks_waiting : Messages.Deadlocks_acquired, new Object[] {
				e.to(), e.acquired().function(), e.from() }), e.acquired(), greyed));
		return row;
	}

	private static Row stack(String text, Stack s, boolean greyed) {
		List<Frame> sources = sources(s);
		Row row = new Row(Kind.STACK, text, location(sources), greyed, sources);
		for (Frame f : s.frames()) {
			row.add(new Row(Kind.FRAME, f.function().isEmpty() ? "??" : f.function(), f.fileLine(), greyed,
					f.hasSource() ? List.of(f) : List.of()));
		}
		return row;
	}

	private static List<Frame> sources(Stack s) {
		return s.frames().stream().filter(Frame::hasSource).toList();
	}

	/** The program's own site: the first frame found in the workspace, else the innermost with a source position. */
	private static String location(List<Frame> sources) {
		return sources.stream().filter(f -> SourceLookup.find(f.file()).isPresent()).findFirst()
				.or(() -> sources.stream().findFirst()).map(Frame::fileLine).orElse("");
	}

	private static String cycle(List<String> locks) {
		return locks.isEmpty() ? "" : String.join(" \u2192 ", locks) + " \u2192 " + locks.get(0);
	}
}
