package org.insight.core;

import org.eclipse.osgi.util.NLS;

/** The core bundle's user-visible strings ({@code messages.properties}). */
public final class Messages extends NLS {
	public static String Engine_noCli;
	public static String Engine_noBundleFile;
	public static String Engine_noScript;
	public static String Engine_cannotStart;
	public static String Launch_noProgram;
	public static String Launch_noOutput;
	public static String Launch_noTrace;
	public static String Launch_badWorkingDirectory;
	public static String Job_record;
	public static String Job_replay;
	public static String Job_waiting;
	public static String Job_exited;
	public static String Job_analyzing;
	public static String Job_analyzeLabel;
	public static String Job_importing;
	public static String Report_unreadable;
	public static String Report_malformed;
	public static String Report_notAnalysis;
	public static String Report_cannotDelete;
	public static String Marker_deadlock;
	public static String Marker_filtered;
	public static String Marker_actual;
	public static String Marker_location;
	public static String Analyzer_refused;
	public static String Analyzer_duplicate;
	public static String Analyzer_noIdOrName;
	public static String Analyzer_nothingToRun;
	public static String Analyzer_unknownEngine;
	public static String Analyzer_noMember;
	public static String Analyzer_failed;

	static {
		NLS.initializeMessages("org.insight.core.messages", Messages.class);
	}

	private Messages() {
	}
}
