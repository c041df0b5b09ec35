package org.insight.testsupport;

import org.insight.kvm.KvmAvailability;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need /dev/kvm: they fail naming it, unless they are skipped on purpose, with a reason
 * that the test summary lists by name:
 * <ul>
 * <li>{@code INSIGHT_NO_KVM=1} (or {@code -Dinsight.noKvm=1}): the user's opt-out on a machine without KVM;</li>
 * <li>{@code INSIGHT_KVM_TESTS=nested} (or {@code -Dinsight.kvmTests=nested}): this run has no KVM, and the tests that
 * need it run afterwards on a nested KVM ({@code tools/nested-tests}); the test summary replaces these skips by the
 * nested results, and keeps any it has no result for as not run.</li>
 * </ul>
 * {@link #onNestedKvm()} tells a test that it runs on the nested KVM of {@code tools/nested-kvm} (emulated SVM under
 * QEMU TCG), where {@link #requireRealKvm(String)} skips, with the reason, what is right only on PVM or bare metal.
 */
public final class KvmRequirement {
	/** The reason a skipped test gives; the test summary lists the skipped tests under it. */
	public static final String NOT_RUN = "needs /dev/kvm (INSIGHT_NO_KVM=1): not run";
	/** The reason of a test deferred to the nested KVM run; the summary replaces it by that run's result. */
	public static final String DEFERRED = "needs /dev/kvm: deferred to the nested KVM run (tools/nested-tests), which gave no result for it";

	private KvmRequirement() {
	}

	/** Returns when KVM is usable; aborts (skipped) on an opted-out machine; fails naming /dev/kvm otherwise. */
	public static void require() {
		if (KvmAvailability.present()) {
			return;
		}
		if (deferredToNested()) {
			Assumptions.abort(DEFERRED);
		}
		if (KvmAvailability.optedOut()) {
			Assumptions.abort(NOT_RUN);
		}
		Assertions.fail("this test needs /dev/kvm: " + KvmAvailability.missingReason()
				+ ". On a machine without KVM, set INSIGHT_NO_KVM=1 to skip the tests that need it.");
	}

	/**
	 * As {@link #require()}, and on the nested KVM of {@code tools/nested-kvm} skips the test with {@code why}: for a
	 * test that is right only on the KVM the product targets (PVM) or on bare metal.
	 */
	public static void requireRealKvm(String why) {
		require();
		Assumptions.assumeFalse(onNestedKvm(), () -> "right only on PVM or bare-metal KVM, not on nested KVM: " + why);
	}

	/** True when the tests that need KVM run later on nested KVM, not in this run. */
	public static boolean deferredToNested() {
		return "nested".equals(setting("insight.kvmTests", "INSIGHT_KVM_TESTS"));
	}

	/**
	 * True on the nested KVM of {@code tools/nested-kvm}: {@code -Dinsight.nested=1} (set by {@code tools/nested-tests})
	 * or {@code INSIGHT_NESTED=1} (set by {@code tools/nested-kvm} inside its VM).
	 */
	public static boolean onNestedKvm() {
		return "1".equals(setting("insight.nested", "INSIGHT_NESTED"));
	}

	private static String setting(String property, String env) {
		String v = System.getProperty(property);
		return v == null || v.isBlank() ? System.getenv(env) : v.strip();
	}
}
