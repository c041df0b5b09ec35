package org.insight.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A CPUID table ({@code struct kvm_cpuid2}) as KVM reports it ({@link Kvm#supportedCpuid()}) and a vCPU
 * takes it ({@link Vcpu#setCpuid(Cpuid)}). An immutable value.
 */
public record Cpuid(List<Cpuid.Entry> entries) {

    /** {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX} (sic): the entry applies only to its {@code index} (ECX input). */
    public static final int FLAG_SIGNIFICANT_INDEX = 1;

    /** One leaf ({@code struct kvm_cpuid_entry2}): inputs {@code function} (EAX) and {@code index} (ECX). */
    public record Entry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
        @Override
        public String toString() {
            return String.format("Entry[0x%x.%d flags=%d eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x]",
                    function, index, flags, eax, ebx, ecx, edx);
        }
    }

    public Cpuid {
        entries = List.copyOf(entries);
    }

    /** The entry the CPU would answer for inputs EAX={@code function}, ECX={@code index}. */
    public Optional<Entry> find(int function, int index) {
        for (Entry e : entries) {
            if (e.function() == function && ((e.flags() & FLAG_SIGNIFICANT_INDEX) == 0 || e.index() == index)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** This table with {@code replacement} instead of the entry for the same function and index (or added). */
    public Cpuid with(Entry replacement) {
        List<Entry> list = new ArrayList<>(entries.size() + 1);
        boolean replaced = false;
        for (Entry e : entries) {
            if (e.function() == replacement.function() && e.index() == replacement.index()) {
                list.add(replacement);
                replaced = true;
            } else {
                list.add(e);
            }
        }
        if (!replaced) {
            list.add(replacement);
        }
        return new Cpuid(list);
    }
}
