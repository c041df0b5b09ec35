package org.insight.ui.launch;

import org.eclipse.debug.ui.ILaunchShortcut;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.ui.IEditorPart;
import org.insight.core.InsightCore;
import org.insight.core.launch.LaunchAttributes;

/** <i>Record with InSight</i> on an executable file. */
public final class RecordShortcut implements ILaunchShortcut {
	@Override
	public void launch(ISelection selection, String mode) {
		Shortcuts.file(selection).ifPresent(p -> Shortcuts.launch(InsightCore.RECORD_TYPE, LaunchAttributes.PROGRAM, p,
				Shortcuts::fillRecord));
	}

	@Override
	public void launch(IEditorPart editor, String mode) {
		Shortcuts.file(editor).ifPresent(p -> Shortcuts.launch(InsightCore.RECORD_TYPE, LaunchAttributes.PROGRAM, p,
				Shortcuts::fillRecord));
	}
}
