package org.insight.testsupport;

import org.insight.kvm.KvmAvailability;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** The one rule for tests that need /dev/kvm: they fail naming it, unless INSIGHT_NO_KVM=1 says to skip them. */
public final class KvmRequirement {
	/** The reason a skipped test gives; the test summary lists the skipped tests under it. */
	public static final String NOT_RUN = "needs /dev/kvm (INSIGHT_NO_KVM=1): not run";

	private KvmRequirement() {
	}

	/** Returns when KVM is usable; aborts (skipped) on an opted-out machine; fails naming /dev/kvm otherwise. */
	public static void require() {
		if (KvmAvailability.present()) {
			return;
		}
		if (KvmAvailability.optedOut()) {
			Assumptions.abort(NOT_RUN);
		}
		Assertions.fail("this test needs /dev/kvm: " + KvmAvailability.missingReason()
				+ ". On a machine without KVM, set INSIGHT_NO_KVM=1 to skip the tests that need it.");
	}
}
