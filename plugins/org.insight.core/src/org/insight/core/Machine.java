package org.insight.core;

import java.util.Arrays;
import java.util.Optional;

import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.insight.kvm.KvmAvailability;

/**
 * The engine's {@code --vm} choice as the IDE offers it, and the workspace default (preference {@value #PREFERENCE}).
 * The decision itself stays the CLI's ({@code MachineChoice}); this only names the option and says whether
 * {@code /dev/kvm} is usable here, for the launch tab's warning.
 */
public enum Machine {
	AUTO, KVM, NESTED;

	/** Preference key (instance scope of {@link InsightCore#PLUGIN_ID}) of the default machine. */
	public static final String PREFERENCE = "machine";

	/** The value of {@code --vm}. */
	public String option() {
		return name().toLowerCase(java.util.Locale.ROOT);
	}

	public static Optional<Machine> ofOption(String option) {
		return Arrays.stream(values()).filter(m -> m.option().equals(option)).findFirst();
	}

	/** The workspace default: the preference, else {@link #AUTO}. */
	public static Machine workspaceDefault() {
		String s = Platform.getPreferencesService().getString(InsightCore.PLUGIN_ID, PREFERENCE, AUTO.option(),
				new org.eclipse.core.runtime.preferences.IScopeContext[] { InstanceScope.INSTANCE });
		return ofOption(s).orElse(AUTO);
	}

	/** Why /dev/kvm cannot be used here, or null when it can. */
	public static String kvmMissingReason() {
		return KvmAvailability.missingReason();
	}
}
