package org.insight.core.analysis;

/** The engine's analysis report cannot be read: the message names the file and what is wrong, in one line. */
public final class AnalysisReportException extends Exception {
	private static final long serialVersionUID = 1L;

	public AnalysisReportException(String message) {
		super(message);
	}

	public AnalysisReportException(String message, Throwable cause) {
		super(message, cause);
	}
}
