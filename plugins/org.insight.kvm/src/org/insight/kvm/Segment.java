package org.insight.kvm;

/**
 * A segment register as KVM sees it ({@code struct kvm_segment}): the cached descriptor, not the GDT entry.
 * {@code limit} is the byte-granular limit as a 32-bit unsigned value (write 0xffffffff for 4 GiB);
 * {@code selector} is 16 bits, {@code type} 4 bits, {@code dpl} 0..3.
 */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
        boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    @Override
    public String toString() {
        return "Segment[sel=0x" + Integer.toHexString(selector) + " base=0x" + Long.toHexString(base)
                + " limit=0x" + Integer.toHexString(limit) + " type=" + type + (present ? " P" : "") + " dpl=" + dpl
                + (db ? " DB" : "") + (s ? " S" : "") + (l ? " L" : "") + (g ? " G" : "") + (avl ? " AVL" : "")
                + (unusable ? " unusable" : "") + "]";
    }
}
