package org.insight.ui;

import org.eclipse.ui.IStartup;

/** Starts the bundle with the workbench, so a replay launched from the history also opens the Recording view. */
public final class Startup implements IStartup {
	@Override
	public void earlyStartup() {
		// loading this class started the bundle: nothing else to do
	}
}
