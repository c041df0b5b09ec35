package org.insight.replay;

import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.linux.OutputSink;

/**
 * Starts a guest on the machine (org.insight.vmm) with the given inputs and output. Recording and replay launch the
 * same way; only the inputs differ.
 */
@FunctionalInterface
public interface GuestLauncher {
	/** Prepares the guest; nothing of it runs before the first {@link GuestExecution#advance()}. */
	GuestExecution launch(GuestProgram program, RecordingConfig config, GuestInputs inputs, OutputSink output);
}
