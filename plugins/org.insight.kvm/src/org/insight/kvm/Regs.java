package org.insight.kvm;

import java.util.Arrays;

/**
 * The general-purpose registers of a vCPU ({@code struct kvm_regs}), a plain mutable value. Fields are in
 * the kernel's order, which {@link #toArray()} and {@link #fromArray(long[])} keep.
 */
public final class Regs {
    public long rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    public long r8, r9, r10, r11, r12, r13, r14, r15;
    public long rip, rflags;

    /** Number of registers, in {@code struct kvm_regs} order. */
    static final int COUNT = 18;

    private static final String[] NAMES = {
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags" };

    public Regs copy() {
        return fromArray(toArray());
    }

    /** The registers in {@code struct kvm_regs} order: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags. */
    public long[] toArray() {
        return new long[] { rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags };
    }

    /** The inverse of {@link #toArray()}. */
    public static Regs fromArray(long[] v) {
        if (v.length != COUNT) {
            throw new IllegalArgumentException("kvm_regs has " + COUNT + " registers, got " + v.length);
        }
        Regs r = new Regs();
        r.rax = v[0]; r.rbx = v[1]; r.rcx = v[2]; r.rdx = v[3];
        r.rsi = v[4]; r.rdi = v[5]; r.rsp = v[6]; r.rbp = v[7];
        r.r8 = v[8]; r.r9 = v[9]; r.r10 = v[10]; r.r11 = v[11];
        r.r12 = v[12]; r.r13 = v[13]; r.r14 = v[14]; r.r15 = v[15];
        r.rip = v[16]; r.rflags = v[17];
        return r;
    }

    /** The names of the registers that differ, with both values, e.g. "rax=0x1 (other 0x2)"; empty when equal. */
    public String diff(Regs other) {
        long[] a = toArray();
        long[] b = other.toArray();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < COUNT; i++) {
            if (a[i] != b[i]) {
                if (s.length() > 0) {
                    s.append(", ");
                }
                s.append(NAMES[i]).append("=0x").append(Long.toHexString(a[i]))
                        .append(" (other 0x").append(Long.toHexString(b[i])).append(')');
            }
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Regs r && Arrays.equals(toArray(), r.toArray());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toArray());
    }

    @Override
    public String toString() {
        long[] v = toArray();
        StringBuilder s = new StringBuilder("Regs[");
        for (int i = 0; i < COUNT; i++) {
            s.append(i == 0 ? "" : " ").append(NAMES[i]).append("=0x").append(Long.toHexString(v[i]));
        }
        return s.append(']').toString();
    }
}
