package org.insight.kvm;

/** The GDTR or IDTR ({@code struct kvm_dtable}); {@code limit} is 16 bits: the table's size in bytes minus one. */
public record DescriptorTable(long base, int limit) {
    @Override
    public String toString() {
        return "DescriptorTable[base=0x" + Long.toHexString(base) + " limit=0x" + Integer.toHexString(limit) + "]";
    }
}
