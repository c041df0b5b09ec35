package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The codecs between the value types and the kernel structs, on plain memory (offsets: see KvmAbiTest). */
class KvmStructsTest {

    @Test
    void regsRoundTripThroughKvmRegs() {
        Regs r = new Regs();
        long[] values = new long[Regs.COUNT];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0x0101_0101_0101_0101L * (i + 1);
        }
        r = Regs.fromArray(values);
        try (Memory m = new Memory(KvmStructs.REGS_SIZE + 16)) {
            m.clear();
            KvmStructs.writeRegs(m, 8, r);
            assertEquals(0L, m.getLong(0), "nothing written before the struct");
            assertEquals(r.rax, m.getLong(8));
            assertEquals(r.rip, m.getLong(8 + 16 * 8));
            assertEquals(r.rflags, m.getLong(8 + 17 * 8));
            assertEquals(0L, m.getLong(8 + KvmStructs.REGS_SIZE), "nothing written after the struct");
            assertEquals(r, KvmStructs.readRegs(m, 8));
        }
    }

    @Test
    void regsValueSemantics() {
        Regs a = new Regs();
        a.rip = 0x401000;
        a.rsp = 0x7ffc0000;
        Regs b = a.copy();
        assertNotSame(a, b);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("", a.diff(b));
        b.rax = 1;
        b.r15 = 2;
        assertNotEquals(a, b);
        assertEquals("rax=0x0 (other 0x1), r15=0x0 (other 0x2)", a.diff(b));
        assertTrue(a.toString().contains("rip=0x401000") && a.toString().contains("rsp=0x7ffc0000"), a.toString());
        assertThrows(IllegalArgumentException.class, () -> Regs.fromArray(new long[3]));
    }

    private static Sregs sample() {
        Sregs s = new Sregs();
        s.cs = new Segment(0, 0xffffffff, 0x33, 0xb, true, 3, false, true, true, true, false, false);
        s.ds = new Segment(0x1000, 0xfffff, 0x2b, 0x3, true, 3, true, true, false, true, true, false);
        s.es = s.ds;
        s.fs = new Segment(0x7f0000001000L, 0xffffffff, 0x2b, 0x3, true, 3, true, true, false, true, false, false);
        s.gs = s.ds;
        s.ss = s.ds;
        s.tr = new Segment(0x3000, 0x2068, 0x18, 11, true, 0, false, false, false, false, false, false);
        s.ldt = new Segment(0, 0, 0, 2, false, 0, false, false, false, false, false, true);
        s.gdt = new DescriptorTable(0x1000, 55);
        s.idt = new DescriptorTable(0x2000, 0xffff);
        s.cr0 = 0x80050033L;
        s.cr2 = 0xdead000L;
        s.cr3 = 0x8000;
        s.cr4 = 0x620;
        s.cr8 = 1;
        s.efer = 0x501;
        s.apicBase = 0xfee00900L;
        return s;
    }

    @Test
    void sregsRoundTripAndLandAtTheirOffsets() {
        Sregs s = sample();
        try (Memory m = new Memory(KvmStructs.SREGS_SIZE)) {
            m.setMemory(0, KvmStructs.SREGS_SIZE, (byte) 0xff);
            KvmStructs.writeSregs(m, s);
            assertEquals(s, KvmStructs.readSregs(m));

            long cs = KvmStructs.SREGS_CS;
            assertEquals(0xffffffff, m.getInt(cs + KvmStructs.SEGMENT_LIMIT));
            assertEquals(0x33, m.getShort(cs + KvmStructs.SEGMENT_SELECTOR));
            assertEquals(0xb, m.getByte(cs + KvmStructs.SEGMENT_TYPE));
            assertEquals(3, m.getByte(cs + KvmStructs.SEGMENT_DPL));
            assertEquals(1, m.getByte(cs + KvmStructs.SEGMENT_L));
            assertEquals(0, m.getByte(cs + KvmStructs.SEGMENT_DB));
            assertEquals(0, m.getByte(cs + KvmStructs.SEGMENT_UNUSABLE + 1), "segment padding is zeroed");
            assertEquals(0x7f0000001000L, m.getLong(KvmStructs.SREGS_FS + KvmStructs.SEGMENT_BASE));
            assertEquals(1, m.getByte(KvmStructs.SREGS_LDT + KvmStructs.SEGMENT_UNUSABLE));
            assertEquals(55, m.getShort(KvmStructs.SREGS_GDT + KvmStructs.DTABLE_LIMIT));
            assertEquals(0x2000L, m.getLong(KvmStructs.SREGS_IDT + KvmStructs.DTABLE_BASE));
            assertEquals(0x80050033L, m.getLong(KvmStructs.SREGS_CR0));
            assertEquals(0x8000L, m.getLong(KvmStructs.SREGS_CR3));
            assertEquals(0x501L, m.getLong(KvmStructs.SREGS_EFER));
            assertEquals(0xfee00900L, m.getLong(KvmStructs.SREGS_APIC_BASE));
            for (long at = KvmStructs.SREGS_INTERRUPT_BITMAP; at < KvmStructs.SREGS_SIZE; at += 8) {
                assertEquals(0L, m.getLong(at), "no interrupt may be queued by setSregs (offset " + at + ")");
            }
            // the unsigned 16-bit limit of a full IDT survives
            assertEquals(0xffff, KvmStructs.readSregs(m).idt.limit());
        }
    }

    @Test
    void sregsValueSemanticsAndMissingParts() {
        Sregs a = sample();
        Sregs b = a.copy();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.efer = 0x500;
        assertNotEquals(a, b);
        assertTrue(a.toString().contains("efer=0x501") && a.toString().contains("sel=0x33"), a.toString());

        Sregs incomplete = sample();
        incomplete.tr = null;
        try (Memory m = new Memory(KvmStructs.SREGS_SIZE)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvmStructs.writeSregs(m, incomplete));
            assertTrue(e.getMessage().contains("tr"), e.getMessage());
        }
    }

    @Test
    void cpuidRoundTripsAndLooksUpLikeTheCpu() {
        Cpuid.Entry leaf0 = new Cpuid.Entry(0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
        Cpuid.Entry leaf7 = new Cpuid.Entry(7, 0, Cpuid.FLAG_SIGNIFICANT_INDEX, 2, 0x219c07ab, 0, 0xbc000400);
        Cpuid.Entry leaf7sub1 = new Cpuid.Entry(7, 1, Cpuid.FLAG_SIGNIFICANT_INDEX, 0, 0, 0, 0);
        Cpuid cpuid = new Cpuid(List.of(leaf0, leaf7, leaf7sub1));
        try (Memory m = new Memory(KvmStructs.cpuid2Size(3))) {
            KvmStructs.writeCpuid(m, cpuid);
            assertEquals(3, m.getInt(KvmStructs.CPUID2_NENT));
            assertEquals(7, m.getInt(KvmStructs.CPUID2_ENTRIES + KvmStructs.CPUID_ENTRY2_SIZE + KvmStructs.CPUID_ENTRY2_FUNCTION));
            assertEquals(0xbc000400, m.getInt(KvmStructs.CPUID2_ENTRIES + KvmStructs.CPUID_ENTRY2_SIZE + KvmStructs.CPUID_ENTRY2_EDX));
            assertEquals(cpuid, KvmStructs.readCpuid(m));
        }
        assertEquals(Optional.of(leaf0), cpuid.find(0, 5), "index is ignored without the significant-index flag");
        assertEquals(Optional.of(leaf7sub1), cpuid.find(7, 1));
        assertEquals(Optional.empty(), cpuid.find(7, 2));
        assertEquals(Optional.empty(), cpuid.find(0x80000000, 0));

        Cpuid.Entry patched = new Cpuid.Entry(7, 0, Cpuid.FLAG_SIGNIFICANT_INDEX, 2, 0, 0, 0);
        Cpuid changed = cpuid.with(patched);
        assertEquals(3, changed.entries().size());
        assertEquals(Optional.of(patched), changed.find(7, 0));
        assertEquals(Optional.of(leaf7), cpuid.find(7, 0), "the original is unchanged");
        assertEquals(4, cpuid.with(new Cpuid.Entry(0x40000000, 0, 0, 0, 0, 0, 0)).entries().size());
    }
}
