package org.insight.core.launch;

/**
 * The attributes of the InSight launch configurations. Each maps to one option of {@code insight record} or
 * {@code insight replay}; an empty value means "the engine's default". The environment is the Debug platform's own
 * {@code ILaunchManager.ATTR_ENVIRONMENT_VARIABLES} (the standard Environment tab), given to the guest as {@code --env}.
 */
public final class LaunchAttributes {
	private static final String P = "org.insight.core.";
	public static final String PROGRAM = P + "program";
	public static final String ARGUMENTS = P + "arguments";
	public static final String WORKING_DIRECTORY = P + "workingDirectory";
	/** A file the guest reads as stdin; empty: the guest's stdin is empty. */
	public static final String STDIN = P + "stdin";
	/** The recording written by a record launch, read by a replay launch. */
	public static final String TRACE = P + "trace";
	/** {@code syscalls} or {@code locks}. */
	public static final String MODE = P + "mode";
	/** The chaos seed (a number), empty for round-robin scheduling. */
	public static final String CHAOS_SEED = P + "chaosSeed";
	/** Milliseconds. */
	public static final String TIME_SLICE = P + "timeSlice";
	/** A size such as 512m. */
	public static final String MEMORY = P + "memory";
	/** Seconds. */
	public static final String TIME_LIMIT = P + "timeLimit";
	/** {@code auto}, {@code kvm} or {@code nested}; empty: the workspace preference. */
	public static final String MACHINE = P + "machine";

	/**
	 * Record: true to analyze the recording once it has ended, in the same engine run ({@code --analyze-output}),
	 * and show the findings as markers and in the Deadlocks view.
	 */
	public static final String ANALYZE = P + "analyze";
	/**
	 * Replay: the analyses to run after a verified replay, separated by commas: ids of the analyzer registry
	 * ({@code AnalyzerRegistry}, extension point {@code org.insight.core.analyzers}), the built-ins
	 * {@link #DEADLOCKS}, {@link #LOCKS}, {@link #FUNCTIONS}; a new configuration has the analyzers marked default
	 * ({@link #DEFAULT_ANALYSES}, the built-ins' defaults).
	 */
	public static final String ANALYSES = P + "analyses";
	/** The potential-deadlock analysis ({@code insight analyze --deadlocks}). */
	public static final String DEADLOCKS = "deadlocks";
	/** The lock profile ({@code insight analyze --locks}). */
	public static final String LOCKS = "locks";
	/** The exact function profile ({@code insight analyze --functions}): every call hooked, so slow; off by default. */
	public static final String FUNCTIONS = "functions";
	/** The analyses of a new replay configuration: the engine's defaults, potential deadlocks and the lock profile. */
	public static final String DEFAULT_ANALYSES = DEADLOCKS + "," + LOCKS;

	/** Launch attribute set on the launch once its engine process ended: the last line the engine printed. */
	public static final String LAUNCH_ENGINE_SUMMARY = P + "engineSummary";

	private LaunchAttributes() {
	}
}
