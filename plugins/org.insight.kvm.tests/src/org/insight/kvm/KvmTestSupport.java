package org.insight.kvm;

import org.insight.testsupport.KvmRequirement;

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
        KvmRequirement.require();
    }
}
