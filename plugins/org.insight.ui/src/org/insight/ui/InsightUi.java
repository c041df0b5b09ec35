package org.insight.ui;

import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.IJobChangeListener;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.ui.plugin.AbstractUIPlugin;
import org.insight.core.analysis.LatestAnalysis;
import org.insight.core.launch.EngineJob;
import org.insight.ui.views.FunctionProfileView;
import org.insight.ui.views.LockProfileView;
import org.insight.ui.views.Views;
import org.osgi.framework.BundleContext;

/**
 * The UI bundle: after each replay the engine ran, the Recording view shows the recording and the verdict; after each
 * analysis imported, the Deadlocks view opens, and the Lock Profile and Function Profile views when the report has
 * those profiles.
 */
public final class InsightUi extends AbstractUIPlugin {
	public static final String PLUGIN_ID = "org.insight.ui";

	private final IJobChangeListener replays = new JobChangeAdapter() {
		@Override
		public void done(IJobChangeEvent event) {
			if (event.getJob() instanceof EngineJob job && job.kind() == EngineJob.Kind.REPLAY
					&& job.trace() != null) {
				org.insight.ui.views.RecordingView.show(job.trace(), job.engineSummary());
			}
			if (event.getJob() instanceof EngineJob job && job.report().isPresent()) {
				LatestAnalysis.report().ifPresent(r -> {
					if (r.deadlocksRan()) {
						org.insight.ui.views.DeadlocksView.showView();
					}
					if (r.locks().isPresent()) {
						Views.show(LockProfileView.ID);
					}
					if (r.functions().isPresent()) {
						Views.show(FunctionProfileView.ID);
					}
					if (!r.contributed().isEmpty()) {
						Views.show(org.insight.ui.views.AnalyzerResultsView.ID);
					}
				});
			}
		}
	};

	@Override
	public void start(BundleContext context) throws Exception {
		super.start(context);
		Job.getJobManager().addJobChangeListener(replays);
	}

	@Override
	public void stop(BundleContext context) throws Exception {
		Job.getJobManager().removeJobChangeListener(replays);
		super.stop(context);
	}
}
