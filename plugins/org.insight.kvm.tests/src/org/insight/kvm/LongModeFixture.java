package org.insight.kvm;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-vCPU VM in 64-bit long mode whose code runs at CPL3, set up the way PLATFORM.md records that KVM
 * under PVM accepts: cr0=0x80050033, cr4=0x620, efer=0x501, CPUID from KVM_GET_SUPPORTED_CPUID, page tables
 * with U/S=1 at every level, user code/data segments 0x33/0x2b, and a TSS whose I/O bitmap allows only the
 * ports a test uses. Exceptions reach 16-byte CPL0 stubs that report vector v with {@code out 0x80+v, al},
 * so a faulting test program shows up as an I/O exit naming the exception instead of a silent shutdown.
 * <p>
 * Guest physical memory (2 MiB, identity-mapped with 4 KiB pages; page 0 is left unmapped):
 *
 * <pre>
 *   0x001000 GDT        0x002000 IDT (32 gates)      0x003000 TSS + I/O bitmap (to 0x5069)
 *   0x006000 stubs      0x008000 PML4, 0x9000 PDPT, 0xa000 PD, 0xb000 PT
 *   0x010000 top of the CPL0 stack (TSS.RSP0)
 *   0x100000 CODE: the test program      0x1f0000 top of the user stack
 * </pre>
 *
 * The calling thread becomes the vCPU thread.
 */
final class LongModeFixture implements AutoCloseable {
    static final long MEMORY_SIZE = 2L << 20;
    static final long GDT_GPA = 0x1000;
    static final long IDT_GPA = 0x2000;
    static final long TSS_GPA = 0x3000;
    static final long STUBS_GPA = 0x6000;
    static final long PML4_GPA = 0x8000;
    static final long PDPT_GPA = 0x9000;
    static final long PD_GPA = 0xa000;
    static final long PT_GPA = 0xb000;
    static final long KERNEL_STACK_TOP = 0x10000;
    static final long CODE_GPA = 0x100000;
    static final long USER_STACK_TOP = 0x1f0000;

    static final int KERNEL_CODE_SELECTOR = 0x08;
    static final int KERNEL_DATA_SELECTOR = 0x10;
    static final int TSS_SELECTOR = 0x18;          // 16-byte descriptor: GDT slots 3 and 4
    static final int USER_DATA_SELECTOR = 0x2b;    // slot 5, RPL 3
    static final int USER_CODE_SELECTOR = 0x33;    // slot 6, RPL 3
    static final int GDT_ENTRIES = 7;

    // GDT descriptors (base 0, limit 0xfffff pages)
    static final long KERNEL_CODE64 = 0x00af9a000000ffffL; // P, DPL0, code exec/read, L=1
    static final long KERNEL_DATA = 0x00cf92000000ffffL;   // P, DPL0, data read/write, D/B=1
    static final long USER_DATA = 0x00cff2000000ffffL;     // P, DPL3, data read/write, D/B=1
    static final long USER_CODE64 = 0x00affa000000ffffL;   // P, DPL3, code exec/read, L=1

    static final int TSS_IOPB_OFFSET = 0x68;       // the 64-bit TSS header is 0x68 bytes
    static final int IO_BITMAP_BYTES = 65536 / 8;
    static final int TSS_LIMIT = TSS_IOPB_OFFSET + IO_BITMAP_BYTES; // includes the 0xff terminator byte

    static final int EXCEPTION_PORT_BASE = 0x80;   // stub for vector v does: out 0x80+v, al
    static final int EXCEPTION_VECTORS = 32;

    static final long CR0 = 0x80050033L;   // PG | AM | WP | NE | ET | MP | PE
    static final long CR4 = 0x620L;        // OSXMMEXCPT | OSFXSR | PAE
    static final long EFER = 0x501L;       // LMA | LME | SCE
    // Reserved bit 1, interrupts off, and IOPL 3. PVM does not keep IOPL at CPL3 (PLATFORM.md), so there the
    // port I/O below goes through the TSS I/O bitmap; on VMX/SVM, IOPL 3 lets CPL3 reach the ports without it,
    // which also spares QEMU's TCG its bitmap check that wants a TSS of type 9 (see the TR below).
    static final long RFLAGS = 0x3002L;

    static final long PTE_P = 1, PTE_W = 2, PTE_U = 4, PTE_A = 0x20, PTE_D = 0x40;

    final Kvm kvm;
    final Vm vm;
    final GuestMemory memory;
    final Vcpu vcpu;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "long-mode-fixture-watchdog");
        t.setDaemon(true);
        return t;
    });

    LongModeFixture() {
        kvm = Kvm.open();
        vm = kvm.createVm();
        memory = GuestMemory.allocate(MEMORY_SIZE);
        vm.mapMemory(0, 0, memory);
        writePageTables();
        writeGdt();
        writeTss();
        writeIdtAndStubs();
        for (int v = 0; v < EXCEPTION_VECTORS; v++) {
            allowPort(EXCEPTION_PORT_BASE + v, 1);
        }
        vcpu = vm.createVcpu(0);
        vcpu.bindToCurrentThread();
        vcpu.setCpuid(kvm.supportedCpuid());
        vcpu.setSregs(longModeSregs(vcpu.sregs()));
    }

    /** Copies {@code code} to CODE and points RIP there, with the user stack and interrupts off. */
    void load(byte[] code) {
        memory.write(CODE_GPA, code, 0, code.length);
        Regs regs = new Regs();
        regs.rip = CODE_GPA;
        regs.rsp = USER_STACK_TOP;
        regs.rflags = RFLAGS;
        vcpu.setRegs(regs);
    }

    /** Lets CPL3 code access ports {@code [port, port + width)}: clears their bits in the TSS I/O bitmap. */
    void allowPort(int port, int width) {
        for (int p = port; p < port + width; p++) {
            long at = TSS_GPA + TSS_IOPB_OFFSET + p / 8;
            memory.putByte(at, (byte) (memory.getByte(at) & ~(1 << (p % 8))));
        }
    }

    /**
     * Runs the vCPU once; a watchdog kicks it after {@code timeoutMillis} so that a runaway guest fails the
     * test instead of hanging it (the caller sees {@link Exit.Interrupted}).
     */
    Exit run(long timeoutMillis) {
        ScheduledFuture<?> kick = watchdog.schedule(vcpu::kick, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            return vcpu.run();
        } finally {
            kick.cancel(false);
        }
    }

    /** An exit with the exception stubs' ports named, for assertion messages. */
    static String describe(Exit exit) {
        if (exit instanceof Exit.Io io && io.port() >= EXCEPTION_PORT_BASE
                && io.port() < EXCEPTION_PORT_BASE + EXCEPTION_VECTORS) {
            return exit + " = guest exception vector " + (io.port() - EXCEPTION_PORT_BASE)
                    + " (13 #GP, 14 #PF, 6 #UD)";
        }
        return String.valueOf(exit);
    }

    static Sregs longModeSregs(Sregs initial) {
        Sregs s = initial.copy();
        s.cr0 = CR0;
        s.cr3 = PML4_GPA;
        s.cr4 = CR4;
        s.efer = EFER;
        s.cs = new Segment(0, 0xffffffff, USER_CODE_SELECTOR, 0xb, true, 3, false, true, true, true, false, false);
        Segment data = new Segment(0, 0xffffffff, USER_DATA_SELECTOR, 0x3, true, 3, true, true, false, true, false, false);
        s.ds = data;
        s.es = data;
        s.fs = data;
        s.gs = data;
        s.ss = data;
        // type 11, a busy 64-bit TSS: what LTR leaves in TR and what VMX requires of a 64-bit guest. (QEMU's
        // TCG, when it emulates SVM for a nested KVM, checks the I/O bitmap only with type 9, so there CPL3 port
        // I/O relies on IOPL 3; no real CPU does that.)
        s.tr = new Segment(TSS_GPA, TSS_LIMIT, TSS_SELECTOR, 11, true, 0, false, false, false, false, false, false);
        s.ldt = new Segment(0, 0, 0, 2, false, 0, false, false, false, false, false, true);
        s.gdt = new DescriptorTable(GDT_GPA, GDT_ENTRIES * 8 - 1);
        s.idt = new DescriptorTable(IDT_GPA, EXCEPTION_VECTORS * 16 - 1);
        return s;
    }

    private void writePageTables() {
        long table = PTE_P | PTE_W | PTE_U;
        memory.putLong(PML4_GPA, PDPT_GPA | table);
        memory.putLong(PDPT_GPA, PD_GPA | table);
        memory.putLong(PD_GPA, PT_GPA | table);
        for (long page = 1; page < 512; page++) {
            memory.putLong(PT_GPA + 8 * page, page * 4096 | table | PTE_A | PTE_D);
        }
    }

    private void writeGdt() {
        memory.putLong(GDT_GPA, 0);
        memory.putLong(GDT_GPA + KERNEL_CODE_SELECTOR, KERNEL_CODE64);
        memory.putLong(GDT_GPA + KERNEL_DATA_SELECTOR, KERNEL_DATA);
        long base = TSS_GPA;
        long tssLow = TSS_LIMIT | (base & 0xffffff) << 16 | 0x89L << 40 | (base >>> 24 & 0xff) << 56; // P, type 9: 64-bit TSS
        memory.putLong(GDT_GPA + TSS_SELECTOR, tssLow);
        memory.putLong(GDT_GPA + TSS_SELECTOR + 8, base >>> 32);
        memory.putLong(GDT_GPA + (USER_DATA_SELECTOR & ~7), USER_DATA);
        memory.putLong(GDT_GPA + (USER_CODE_SELECTOR & ~7), USER_CODE64);
    }

    private void writeTss() {
        memory.putLong(TSS_GPA + 4, KERNEL_STACK_TOP);                 // RSP0
        memory.putShort(TSS_GPA + 0x66, (short) TSS_IOPB_OFFSET);
        long bitmap = TSS_GPA + TSS_IOPB_OFFSET;
        byte[] denyAll = new byte[IO_BITMAP_BYTES + 1];                 // + the terminator byte
        java.util.Arrays.fill(denyAll, (byte) 0xff);
        memory.write(bitmap, denyAll, 0, denyAll.length);
    }

    private void writeIdtAndStubs() {
        for (int v = 0; v < EXCEPTION_VECTORS; v++) {
            boolean errorCode = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
            byte[] stub = errorCode
                    ? new byte[] { (byte) 0xe6, (byte) (EXCEPTION_PORT_BASE + v), // out imm8, al
                        0x48, (byte) 0x83, (byte) 0xc4, 0x08,                      // add rsp, 8 (drop the error code)
                        0x48, (byte) 0xcf }                                        // iretq
                    : new byte[] { (byte) 0xe6, (byte) (EXCEPTION_PORT_BASE + v), 0x48, (byte) 0xcf };
            long handler = STUBS_GPA + 16L * v;
            memory.write(handler, stub, 0, stub.length);
            long low = (handler & 0xffff) | (long) KERNEL_CODE_SELECTOR << 16 | 0x8eL << 40 // P, DPL0, 64-bit interrupt gate
                    | (handler >>> 16 & 0xffff) << 48;
            memory.putLong(IDT_GPA + 16L * v, low);
            memory.putLong(IDT_GPA + 16L * v + 8, handler >>> 32);
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        vcpu.close();
        vm.close();
        memory.close();
        kvm.close();
    }
}
