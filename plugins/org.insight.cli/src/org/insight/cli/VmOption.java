package org.insight.cli;

import picocli.CommandLine.Option;

/**
 * {@code --vm auto|kvm|nested}: which machine runs the guest. {@code auto} (the default, or {@code INSIGHT_VM})
 * uses {@code /dev/kvm} when it is usable here and otherwise a nested KVM inside QEMU; {@code kvm} insists on
 * {@code /dev/kvm}; {@code nested} always uses the nested machine. The decision itself is {@link MachineChoice}'s.
 */
final class VmOption {
    /** The environment variable that sets the default of {@code --vm}. */
    static final String ENV = "INSIGHT_VM";

    @Option(names = "--vm", paramLabel = "auto|kvm|nested", descriptionKey = "vm.choice")
    String vm;

    /** The machine asked for: the option, else {@code INSIGHT_VM}, else {@code auto}. */
    MachineChoice.Kind kind() {
        String asked = vm != null ? vm : System.getenv(ENV);
        if (asked == null || asked.isBlank()) {
            return MachineChoice.Kind.AUTO;
        }
        return MachineChoice.Kind.ofLabel(asked).orElseThrow(() -> new UserError((vm != null ? "--vm" : ENV)
                + " is auto, kvm or nested, got '" + asked + "'"));
    }
}
