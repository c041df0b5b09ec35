package org.insight.kvm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this machine can run guests: {@code /dev/kvm} exists and this user may read and write it.
 * Tests that need KVM ask here first; see the bundle README for the {@code INSIGHT_NO_KVM=1} opt-out.
 */
public final class KvmAvailability {
    /** The KVM device. */
    public static final String DEVICE = "/dev/kvm";

    private KvmAvailability() {
    }

    /** True when {@code /dev/kvm} exists and is readable and writable by this process. */
    public static boolean present() {
        return missingReason() == null;
    }

    /**
     * Why KVM cannot be used here, naming {@code /dev/kvm}; {@code null} when it can.
     */
    public static String missingReason() {
        Path device = Path.of(DEVICE);
        if (!Files.exists(device)) {
            return DEVICE + " does not exist (no KVM on this machine, or the kvm module is not loaded)";
        }
        if (!Files.isReadable(device) || !Files.isWritable(device)) {
            return DEVICE + " exists but is not readable and writable by this user (add the user to group kvm)";
        }
        return null;
    }

    /**
     * True when the user declared that this machine has no KVM, so that tests needing it are skipped
     * instead of failing: system property {@code insight.noKvm} or environment variable
     * {@code INSIGHT_NO_KVM} is "1".
     */
    public static boolean optedOut() {
        return "1".equals(System.getProperty("insight.noKvm")) || "1".equals(System.getenv("INSIGHT_NO_KVM"));
    }
}
