package org.insight.ui;

import org.eclipse.osgi.util.NLS;

/** The UI bundle's strings ({@code messages.properties}). */
public final class Messages extends NLS {
	public static String Tab_browse;
	public static String Tab_kvmMissingAuto;
	public static String Tab_kvmMissingKvm;
	public static String Main_name;
	public static String Main_program;
	public static String Main_arguments;
	public static String Main_workingDirectory;
	public static String Main_stdin;
	public static String Main_hint;
	public static String Main_noProgram;
	public static String Main_missing;
	public static String Main_notElf;
	public static String Main_notX86;
	public static String Main_notExecutable;
	public static String Main_dynamic;
	public static String Recording_name;
	public static String Recording_output;
	public static String Recording_mode;
	public static String Recording_chaos;
	public static String Recording_timeSlice;
	public static String Recording_memory;
	public static String Recording_timeLimit;
	public static String Recording_machine;
	public static String Recording_machineDefault;
	public static String Recording_machineAuto;
	public static String Recording_machineKvm;
	public static String Recording_machineNested;
	public static String Recording_hint;
	public static String Recording_noOutput;
	public static String Recording_badChaos;
	public static String Recording_badTimeSlice;
	public static String Recording_badMemory;
	public static String Recording_badTimeLimit;
	public static String Replay_name;
	public static String Replay_trace;
	public static String Replay_noTrace;
	public static String Replay_deadlocks;
	public static String Recording_analyze;
	public static String Deadlocks_columnFinding;
	public static String Deadlocks_columnLocation;
	public static String Deadlocks_empty;
	public static String Deadlocks_summary;
	public static String Deadlocks_finding;
	public static String Deadlocks_filtered;
	public static String Deadlocks_edge;
	public static String Deadlocks_held;
	public static String Deadlocks_acquired;
	public static String Rows_health;
	public static String Rows_state;
	public static String Rows_complete;
	public static String Rows_incomplete;
	public static String Rows_corrupt;
	public static String Rows_replay;
	public static String Rows_notReplayed;
	public static String Rows_header;
	public static String Rows_file;
	public static String Rows_recorded;
	public static String Rows_binary;
	public static String Rows_argv;
	public static String Rows_env;
	public static String Rows_config;
	public static String Rows_exit;
	public static String Rows_stdout;
	public static String Rows_frames;
	public static String Rows_frameCount;
	public static String Rows_syncPoints;
	public static String Rows_syncPointsValue;
	public static String Rows_landmarks;
	public static String Rows_threads;
	public static String Rows_inputs;
	public static String Rows_inputsValue;
	public static String Rows_size;
	public static String Rows_fileSize;
	public static String Rows_fileSizeValue;
	public static String Rows_bytesPerFrame;
	public static String View_name;
	public static String View_value;
	public static String View_empty;
	public static String View_reading;
	public static String View_cannotRead;
	public static String Preferences_description;
	public static String Preferences_machine;

	static {
		NLS.initializeMessages("org.insight.ui.messages", Messages.class);
	}

	private Messages() {
	}
}
