package org.insight.core;

/** Identifiers the core bundle contributes and that the UI and the tests refer to. */
public final class InsightCore {
	public static final String PLUGIN_ID = "org.insight.core";
	/** The launch configuration type of a recording ({@code insight record}). */
	public static final String RECORD_TYPE = "org.insight.core.record";
	/** The launch configuration type of a replay ({@code insight replay}). */
	public static final String REPLAY_TYPE = "org.insight.core.replay";
	/** The family of every job that runs the engine: {@code Job.getJobManager().join(JOB_FAMILY, monitor)}. */
	public static final Object JOB_FAMILY = new Object() {
		@Override
		public String toString() {
			return "InSight engine jobs";
		}
	};
	/** The file extension of a recording. */
	public static final String TRACE_EXTENSION = "insight";

	private InsightCore() {
	}
}
