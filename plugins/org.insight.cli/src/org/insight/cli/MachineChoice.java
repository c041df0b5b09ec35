package org.insight.cli;

import java.util.Arrays;
import java.util.Optional;

import org.insight.kvm.KvmAvailability;

/**
 * The one place that decides which machine runs a guest: this process on {@code /dev/kvm}, or the same command in a
 * nested KVM inside QEMU when {@code /dev/kvm} is not usable here.
 */
final class MachineChoice {
    /** What {@code --vm} asks for. */
    enum Kind {
        AUTO, KVM, NESTED;

        static Optional<Kind> ofLabel(String label) {
            return Arrays.stream(values()).filter(k -> k.name().equalsIgnoreCase(label.strip())).findFirst();
        }
    }

    /** Where the command runs. */
    enum Where {
        /** In this process, on this machine's /dev/kvm (which may still be missing with --vm kvm: it says so). */
        HERE,
        /** In a nested machine, started from here. */
        NESTED
    }

    /** The environment variable the nested machine sets for the command it runs. */
    static final String INSIDE_NESTED_ENV = "INSIGHT_NESTED";

    private MachineChoice() {
    }

    /** Where to run, given what was asked, why /dev/kvm is not usable (null: it is) and whether we are nested. */
    static Where decide(Kind asked, String kvmMissingReason, boolean insideNested) {
        if (insideNested) {
            return Where.HERE; // the nested machine's own /dev/kvm: never nest twice
        }
        return switch (asked) {
        case KVM -> Where.HERE;
        case NESTED -> Where.NESTED;
        case AUTO -> kvmMissingReason == null ? Where.HERE : Where.NESTED;
        };
    }

    /** The decision for this process. */
    static Where decide(Kind asked) {
        return decide(asked, KvmAvailability.missingReason(), insideNested());
    }

    /** True when this process runs inside the nested machine (software emulation: timings are not meaningful). */
    static boolean insideNested() {
        return "1".equals(System.getenv(INSIDE_NESTED_ENV));
    }
}
