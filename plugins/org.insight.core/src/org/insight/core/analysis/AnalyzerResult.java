package org.insight.core.analysis;

import java.util.List;

/**
 * The result of a contributed analyzer ({@link ReportAnalyzer}): rows for the Analyzer Results view, and problem
 * markers that the import puts on the workspace files their source paths map to ({@link SourceLookup}).
 *
 * @param rows    the top rows, in order
 * @param markers the markers; one whose file is not in the workspace is left out (its row still shows it)
 */
public record AnalyzerResult(List<Row> rows, List<Marker> markers) {
	public AnalyzerResult {
		rows = List.copyOf(rows);
		markers = List.copyOf(markers);
	}

	/**
	 * A row: its text, a detail (a count, a time), the source position it opens on a double-click (null: none), and its
	 * child rows.
	 */
	public record Row(String text, String detail, DeadlockReport.Frame frame, List<Row> children) {
		public Row {
			children = List.copyOf(children);
		}
	}

	/** A problem marker at {@code file:line} (the DWARF path); severity as {@code IMarker.SEVERITY_*}. */
	public record Marker(String id, String file, int line, int severity, String message) {
	}
}
