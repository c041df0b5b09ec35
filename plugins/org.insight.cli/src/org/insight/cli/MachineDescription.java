package org.insight.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.insight.kvm.KvmAvailability;

/** What a benchmark ran on, printed beside its table so that figures are never read without their machine. */
record MachineDescription(String cpuModel, int cpus, String kernel, String jvm, String kvm) {

    static MachineDescription current() {
        return new MachineDescription(readCpuModel().orElse("unknown CPU"), Runtime.getRuntime().availableProcessors(),
                read(Path.of("/proc/sys/kernel/osrelease")).orElse("unknown kernel").trim(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                KvmAvailability.present() ? "/dev/kvm present" : KvmAvailability.missingReason());
    }

    String format() {
        return String.format("machine: %s, %d CPUs, Linux %s, %s; %s", cpuModel, cpus, kernel, jvm, kvm);
    }

    private static Optional<String> readCpuModel() {
        return read(Path.of("/proc/cpuinfo")).flatMap(s -> s.lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst());
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p));
        } catch (IOException e) {
            return Optional.empty(); // a description only: an unreadable /proc file is shown as "unknown"
        }
    }
}
