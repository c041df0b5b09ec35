package org.insight.kvm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this machine can run guests: {@code /dev/kvm} exists, this user may read and write it, and it is KVM.
 * Tests that need KVM ask here first; see the bundle README for the {@code INSIGHT_NO_KVM=1} opt-out.
 */
public final class KvmAvailability {
    /** The KVM device. */
    public static final String DEVICE = "/dev/kvm";

    private KvmAvailability() {
    }

    /** True when {@code /dev/kvm} exists, is readable and writable by this process, and answers as KVM. */
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
        return notKvm();
    }

    private static volatile String notKvm;
    private static volatile boolean asked;

    /**
     * Null when {@code /dev/kvm} opens as {@link Kvm#open} opens it (KVM_GET_API_VERSION answers 12); otherwise why
     * not. A file that is there and writable but is not the KVM device (a container's placeholder, or {@code /dev/null}
     * bound over it in a private mount namespace to try the no-KVM path, as the README suggests) is not KVM. The
     * device's answer is kept for the process; a failed open (EMFILE, EINTR) is asked again next time.
     */
    private static String notKvm() {
        if (asked) {
            return notKvm;
        }
        synchronized (KvmAvailability.class) {
            if (!asked) {
                try (Kvm kvm = Kvm.open()) {
                    notKvm = null;
                } catch (KvmException e) {
                    if (e.operation().startsWith("open ")) {
                        return DEVICE + " could not be opened (" + ErrnoNames.name(e.errno()) + ")";
                    }
                    notKvm = e.errno() == 0 ? e.getMessage() : DEVICE
                            + " is not the KVM device: KVM_GET_API_VERSION failed with " + ErrnoNames.name(e.errno());
                }
                asked = true;
            }
            return notKvm;
        }
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
