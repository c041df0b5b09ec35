package org.insight.ui.launch;

import java.nio.file.Path;

import org.eclipse.debug.ui.ILaunchShortcut;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.ui.IEditorPart;
import org.insight.core.InsightCore;
import org.insight.core.analysis.AnalyzerRegistry;
import org.insight.core.launch.LaunchAttributes;
import org.insight.ui.views.RecordingView;

/** <i>Replay with InSight</i> on a {@code .insight} file: shows the recording, then replays it. */
public final class ReplayShortcut implements ILaunchShortcut {
	@Override
	public void launch(ISelection selection, String mode) {
		Shortcuts.file(selection).ifPresent(ReplayShortcut::replay);
	}

	@Override
	public void launch(IEditorPart editor, String mode) {
		Shortcuts.file(editor).ifPresent(ReplayShortcut::replay);
	}

	private static void replay(Path trace) {
		RecordingView.show(trace, null);
		Shortcuts.launch(InsightCore.REPLAY_TYPE, LaunchAttributes.TRACE, trace,
				(wc, t) -> {
					wc.setAttribute(LaunchAttributes.TRACE, t.toString());
					// Replay and Analyze: a new configuration analyzes for potential deadlocks and profiles the
					// locks after the replay (the function profile, slow, is chosen on the Replay tab)
					wc.setAttribute(LaunchAttributes.ANALYSES, String.join(",", AnalyzerRegistry.defaults()));
				});
	}
}
