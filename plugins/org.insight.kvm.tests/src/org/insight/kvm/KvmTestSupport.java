package org.insight.kvm;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** The gate every test that needs {@code /dev/kvm} passes first. */
final class KvmTestSupport {
    private KvmTestSupport() {
    }

    /**
     * Returns when KVM is usable. Otherwise the test is skipped if the user opted out
     * ({@code INSIGHT_NO_KVM=1} or {@code -Dinsight.noKvm=1}), and fails naming {@code /dev/kvm} if not:
     * a machine that should run guests must never pass these tests silently.
     */
    static void requireKvm() {
        if (KvmAvailability.present()) {
            return;
        }
        if (KvmAvailability.optedOut()) {
            Assumptions.abort("needs /dev/kvm (INSIGHT_NO_KVM=1): not run");
        }
        Assertions.fail("this test needs /dev/kvm: " + KvmAvailability.missingReason()
                + ". On a machine without KVM, set INSIGHT_NO_KVM=1 to skip the tests that need it.");
    }
}
