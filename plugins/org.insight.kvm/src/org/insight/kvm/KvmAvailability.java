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
     * Null when {@code /dev/kvm} answers KVM_GET_API_VERSION with 12; otherwise why not. A file that is there and
     * writable but is not the KVM device (a container's placeholder, or {@code /dev/null} bound over it in a private
     * mount namespace to try the no-KVM path, as the README suggests) is not KVM. Asked once per process.
     */
    private static String notKvm() {
        if (!asked) {
            synchronized (KvmAvailability.class) {
                if (!asked) {
                    String answer = askDevice();
                    if (answer == null || !answer.contains("could not be opened")) {
                        // an answer of the device itself is kept; a failed open (EMFILE, EINTR) is asked again
                        notKvm = answer;
                        asked = true;
                    }
                    return answer;
                }
            }
        }
        return notKvm;
    }

    private static String askDevice() {
        int fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) {
            return DEVICE + " could not be opened (" + ErrnoNames.name(Libc.errno()) + ")";
        }
        try {
            int version = Libc.ioctl(fd, Ioctls.KVM_GET_API_VERSION, 0L);
            if (version < 0) {
                return DEVICE + " is not the KVM device: KVM_GET_API_VERSION failed with "
                        + ErrnoNames.name(Libc.errno());
            }
            return version == Kvm.API_VERSION ? null : DEVICE + " speaks KVM API version " + version + ", not "
                    + Kvm.API_VERSION;
        } finally {
            Libc.close(fd);
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
