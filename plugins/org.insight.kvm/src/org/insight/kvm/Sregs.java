package org.insight.kvm;

import java.util.Objects;

/**
 * The special registers of a vCPU ({@code struct kvm_sregs}), a plain mutable value: segments, descriptor
 * tables, control registers, EFER and the APIC base. The kernel struct's pending-interrupt bitmap is not
 * carried: {@link Vcpu#setSregs(Sregs)} writes it as zero, i.e. it queues no interrupt.
 */
public final class Sregs {
    public Segment cs, ds, es, fs, gs, ss, tr, ldt;
    public DescriptorTable gdt, idt;
    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;

    /** Segments and tables are immutable records, so a field-by-field copy is a deep copy. */
    public Sregs copy() {
        Sregs c = new Sregs();
        c.cs = cs; c.ds = ds; c.es = es; c.fs = fs; c.gs = gs; c.ss = ss; c.tr = tr; c.ldt = ldt;
        c.gdt = gdt; c.idt = idt;
        c.cr0 = cr0; c.cr2 = cr2; c.cr3 = cr3; c.cr4 = cr4; c.cr8 = cr8; c.efer = efer; c.apicBase = apicBase;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sregs x
                && Objects.equals(cs, x.cs) && Objects.equals(ds, x.ds) && Objects.equals(es, x.es)
                && Objects.equals(fs, x.fs) && Objects.equals(gs, x.gs) && Objects.equals(ss, x.ss)
                && Objects.equals(tr, x.tr) && Objects.equals(ldt, x.ldt)
                && Objects.equals(gdt, x.gdt) && Objects.equals(idt, x.idt)
                && cr0 == x.cr0 && cr2 == x.cr2 && cr3 == x.cr3 && cr4 == x.cr4 && cr8 == x.cr8
                && efer == x.efer && apicBase == x.apicBase;
    }

    @Override
    public int hashCode() {
        return Objects.hash(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    @Override
    public String toString() {
        return "Sregs[cs=" + cs + " ds=" + ds + " es=" + es + " fs=" + fs + " gs=" + gs + " ss=" + ss
                + " tr=" + tr + " ldt=" + ldt + " gdt=" + gdt + " idt=" + idt
                + " cr0=0x" + Long.toHexString(cr0) + " cr2=0x" + Long.toHexString(cr2)
                + " cr3=0x" + Long.toHexString(cr3) + " cr4=0x" + Long.toHexString(cr4)
                + " cr8=0x" + Long.toHexString(cr8) + " efer=0x" + Long.toHexString(efer)
                + " apicBase=0x" + Long.toHexString(apicBase) + "]";
    }
}
