package org.insight.kvm;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;

/**
 * Sizes and field offsets of the {@code <linux/kvm.h>} structures the binding passes to ioctls (x86-64), and
 * the codecs between them and the public value types. {@code KvmAbiTest} compares every number here with
 * what gcc computes from the header.
 */
final class KvmStructs {
    private KvmStructs() {
    }

    // struct kvm_regs: 18 __u64 in Regs order
    static final int REGS_SIZE = 144;

    // struct kvm_segment
    static final int SEGMENT_SIZE = 24;
    static final int SEGMENT_BASE = 0;       // __u64
    static final int SEGMENT_LIMIT = 8;      // __u32
    static final int SEGMENT_SELECTOR = 12;  // __u16
    static final int SEGMENT_TYPE = 14;      // __u8 from here on
    static final int SEGMENT_PRESENT = 15;
    static final int SEGMENT_DPL = 16;
    static final int SEGMENT_DB = 17;
    static final int SEGMENT_S = 18;
    static final int SEGMENT_L = 19;
    static final int SEGMENT_G = 20;
    static final int SEGMENT_AVL = 21;
    static final int SEGMENT_UNUSABLE = 22;

    // struct kvm_dtable
    static final int DTABLE_SIZE = 16;
    static final int DTABLE_BASE = 0;        // __u64
    static final int DTABLE_LIMIT = 8;       // __u16

    // struct kvm_sregs
    static final int SREGS_SIZE = 312;
    static final int SREGS_CS = 0;
    static final int SREGS_DS = 24;
    static final int SREGS_ES = 48;
    static final int SREGS_FS = 72;
    static final int SREGS_GS = 96;
    static final int SREGS_SS = 120;
    static final int SREGS_TR = 144;
    static final int SREGS_LDT = 168;
    static final int SREGS_GDT = 192;
    static final int SREGS_IDT = 208;
    static final int SREGS_CR0 = 224;
    static final int SREGS_CR2 = 232;
    static final int SREGS_CR3 = 240;
    static final int SREGS_CR4 = 248;
    static final int SREGS_CR8 = 256;
    static final int SREGS_EFER = 264;
    static final int SREGS_APIC_BASE = 272;
    static final int SREGS_INTERRUPT_BITMAP = 280;

    // struct kvm_msrs { __u32 nmsrs; __u32 pad; struct kvm_msr_entry entries[]; }
    static final int MSRS_HEADER_SIZE = 8;
    static final int MSRS_NMSRS = 0;
    static final int MSRS_ENTRIES = 8;
    // struct kvm_msr_entry { __u32 index; __u32 reserved; __u64 data; }
    static final int MSR_ENTRY_SIZE = 16;
    static final int MSR_ENTRY_INDEX = 0;
    static final int MSR_ENTRY_DATA = 8;

    // struct kvm_cpuid2 { __u32 nent; __u32 padding; struct kvm_cpuid_entry2 entries[]; }
    static final int CPUID2_HEADER_SIZE = 8;
    static final int CPUID2_NENT = 0;
    static final int CPUID2_ENTRIES = 8;
    // struct kvm_cpuid_entry2: seven __u32 then __u32 padding[3]
    static final int CPUID_ENTRY2_SIZE = 40;
    static final int CPUID_ENTRY2_FUNCTION = 0;
    static final int CPUID_ENTRY2_INDEX = 4;
    static final int CPUID_ENTRY2_FLAGS = 8;
    static final int CPUID_ENTRY2_EAX = 12;
    static final int CPUID_ENTRY2_EBX = 16;
    static final int CPUID_ENTRY2_ECX = 20;
    static final int CPUID_ENTRY2_EDX = 24;

    // struct kvm_userspace_memory_region
    static final int USER_MEMORY_REGION_SIZE = 32;
    static final int REGION_SLOT = 0;             // __u32
    static final int REGION_FLAGS = 4;            // __u32
    static final int REGION_GUEST_PHYS_ADDR = 8;  // __u64
    static final int REGION_MEMORY_SIZE = 16;     // __u64
    static final int REGION_USERSPACE_ADDR = 24;  // __u64

    // struct kvm_xsave { __u32 region[1024]; }
    static final int XSAVE_SIZE = 4096;

    // struct kvm_signal_mask { __u32 len; __u8 sigset[]; }; len must equal the kernel's sigset size
    static final int SIGNAL_MASK_HEADER_SIZE = 4;
    static final int SIGNAL_MASK_LEN = 0;
    static final int SIGNAL_MASK_SIGSET = 4;
    static final int KERNEL_SIGSET_SIZE = 8;

    static void writeRegs(Pointer p, long offset, Regs regs) {
        p.write(offset, regs.toArray(), 0, Regs.COUNT);
    }

    static Regs readRegs(Pointer p, long offset) {
        long[] v = new long[Regs.COUNT];
        p.read(offset, v, 0, Regs.COUNT);
        return Regs.fromArray(v);
    }

    static void writeSegment(Pointer p, long offset, Segment s) {
        p.setLong(offset + SEGMENT_BASE, s.base());
        p.setInt(offset + SEGMENT_LIMIT, s.limit());
        p.setShort(offset + SEGMENT_SELECTOR, (short) s.selector());
        p.setByte(offset + SEGMENT_TYPE, (byte) s.type());
        p.setByte(offset + SEGMENT_PRESENT, flag(s.present()));
        p.setByte(offset + SEGMENT_DPL, (byte) s.dpl());
        p.setByte(offset + SEGMENT_DB, flag(s.db()));
        p.setByte(offset + SEGMENT_S, flag(s.s()));
        p.setByte(offset + SEGMENT_L, flag(s.l()));
        p.setByte(offset + SEGMENT_G, flag(s.g()));
        p.setByte(offset + SEGMENT_AVL, flag(s.avl()));
        p.setByte(offset + SEGMENT_UNUSABLE, flag(s.unusable()));
        p.setByte(offset + SEGMENT_UNUSABLE + 1, (byte) 0);
    }

    static Segment readSegment(Pointer p, long offset) {
        return new Segment(
                p.getLong(offset + SEGMENT_BASE),
                p.getInt(offset + SEGMENT_LIMIT),
                p.getShort(offset + SEGMENT_SELECTOR) & 0xffff,
                p.getByte(offset + SEGMENT_TYPE) & 0xff,
                p.getByte(offset + SEGMENT_PRESENT) != 0,
                p.getByte(offset + SEGMENT_DPL) & 0xff,
                p.getByte(offset + SEGMENT_DB) != 0,
                p.getByte(offset + SEGMENT_S) != 0,
                p.getByte(offset + SEGMENT_L) != 0,
                p.getByte(offset + SEGMENT_G) != 0,
                p.getByte(offset + SEGMENT_AVL) != 0,
                p.getByte(offset + SEGMENT_UNUSABLE) != 0);
    }

    static void writeDtable(Pointer p, long offset, DescriptorTable t) {
        p.setLong(offset + DTABLE_BASE, t.base());
        p.setShort(offset + DTABLE_LIMIT, (short) t.limit());
        p.setMemory(offset + DTABLE_LIMIT + 2, DTABLE_SIZE - DTABLE_LIMIT - 2, (byte) 0);
    }

    static DescriptorTable readDtable(Pointer p, long offset) {
        return new DescriptorTable(p.getLong(offset + DTABLE_BASE), p.getShort(offset + DTABLE_LIMIT) & 0xffff);
    }

    /** Writes all of {@code struct kvm_sregs}; the interrupt bitmap becomes zero (no interrupt queued). */
    static void writeSregs(Pointer p, Sregs s) {
        Segment[] segments = { s.cs, s.ds, s.es, s.fs, s.gs, s.ss, s.tr, s.ldt };
        int[] offsets = { SREGS_CS, SREGS_DS, SREGS_ES, SREGS_FS, SREGS_GS, SREGS_SS, SREGS_TR, SREGS_LDT };
        String[] names = { "cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt" };
        for (int i = 0; i < segments.length; i++) {
            if (segments[i] == null) {
                throw new IllegalArgumentException("Sregs." + names[i] + " is null");
            }
            writeSegment(p, offsets[i], segments[i]);
        }
        if (s.gdt == null || s.idt == null) {
            throw new IllegalArgumentException("Sregs." + (s.gdt == null ? "gdt" : "idt") + " is null");
        }
        writeDtable(p, SREGS_GDT, s.gdt);
        writeDtable(p, SREGS_IDT, s.idt);
        p.setLong(SREGS_CR0, s.cr0);
        p.setLong(SREGS_CR2, s.cr2);
        p.setLong(SREGS_CR3, s.cr3);
        p.setLong(SREGS_CR4, s.cr4);
        p.setLong(SREGS_CR8, s.cr8);
        p.setLong(SREGS_EFER, s.efer);
        p.setLong(SREGS_APIC_BASE, s.apicBase);
        p.setMemory(SREGS_INTERRUPT_BITMAP, SREGS_SIZE - SREGS_INTERRUPT_BITMAP, (byte) 0);
    }

    static Sregs readSregs(Pointer p) {
        Sregs s = new Sregs();
        s.cs = readSegment(p, SREGS_CS);
        s.ds = readSegment(p, SREGS_DS);
        s.es = readSegment(p, SREGS_ES);
        s.fs = readSegment(p, SREGS_FS);
        s.gs = readSegment(p, SREGS_GS);
        s.ss = readSegment(p, SREGS_SS);
        s.tr = readSegment(p, SREGS_TR);
        s.ldt = readSegment(p, SREGS_LDT);
        s.gdt = readDtable(p, SREGS_GDT);
        s.idt = readDtable(p, SREGS_IDT);
        s.cr0 = p.getLong(SREGS_CR0);
        s.cr2 = p.getLong(SREGS_CR2);
        s.cr3 = p.getLong(SREGS_CR3);
        s.cr4 = p.getLong(SREGS_CR4);
        s.cr8 = p.getLong(SREGS_CR8);
        s.efer = p.getLong(SREGS_EFER);
        s.apicBase = p.getLong(SREGS_APIC_BASE);
        return s;
    }

    static long cpuid2Size(int entries) {
        return CPUID2_HEADER_SIZE + (long) entries * CPUID_ENTRY2_SIZE;
    }

    /** Writes {@code struct kvm_cpuid2} with all its entries; {@code p} holds {@link #cpuid2Size(int)} bytes. */
    static void writeCpuid(Pointer p, Cpuid cpuid) {
        List<Cpuid.Entry> entries = cpuid.entries();
        p.setMemory(0, cpuid2Size(entries.size()), (byte) 0);
        p.setInt(CPUID2_NENT, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Cpuid.Entry e = entries.get(i);
            long at = CPUID2_ENTRIES + (long) i * CPUID_ENTRY2_SIZE;
            p.setInt(at + CPUID_ENTRY2_FUNCTION, e.function());
            p.setInt(at + CPUID_ENTRY2_INDEX, e.index());
            p.setInt(at + CPUID_ENTRY2_FLAGS, e.flags());
            p.setInt(at + CPUID_ENTRY2_EAX, e.eax());
            p.setInt(at + CPUID_ENTRY2_EBX, e.ebx());
            p.setInt(at + CPUID_ENTRY2_ECX, e.ecx());
            p.setInt(at + CPUID_ENTRY2_EDX, e.edx());
        }
    }

    static Cpuid readCpuid(Pointer p) {
        int n = p.getInt(CPUID2_NENT);
        List<Cpuid.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long at = CPUID2_ENTRIES + (long) i * CPUID_ENTRY2_SIZE;
            entries.add(new Cpuid.Entry(
                    p.getInt(at + CPUID_ENTRY2_FUNCTION), p.getInt(at + CPUID_ENTRY2_INDEX),
                    p.getInt(at + CPUID_ENTRY2_FLAGS), p.getInt(at + CPUID_ENTRY2_EAX),
                    p.getInt(at + CPUID_ENTRY2_EBX), p.getInt(at + CPUID_ENTRY2_ECX),
                    p.getInt(at + CPUID_ENTRY2_EDX)));
        }
        return new Cpuid(entries);
    }

    private static byte flag(boolean b) {
        return (byte) (b ? 1 : 0);
    }
}
