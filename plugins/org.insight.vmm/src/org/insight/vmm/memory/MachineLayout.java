package org.insight.vmm.memory;

import java.util.List;

/**
 * Where things are in the guest. The low 2 MiB hold the VMM's own structures (the "kernel area", guest-physical
 * and identity-mapped at the same virtual addresses); user memory lives above it, and page frames for user pages and
 * page tables come from guest-physical memory above it too.
 * <p>
 * The values are those of the C prototype that ran on this platform (shared/reference/vmm-prototype/vmm.c).
 */
public final class MachineLayout {
	private MachineLayout() {
	}

	public static final long PAGE_SIZE = 4096;

	/** Global descriptor table: null, kernel code 0x08, kernel data 0x10, TSS 0x18 (16 bytes), user data 0x2b, user code 0x33. */
	public static final long GDT = 0x1_0000L;
	/** Interrupt descriptor table: 32 gates of 16 bytes, one per exception vector. */
	public static final long IDT = 0x1_1000L;
	/** Task state segment: 0x68-byte header, then an 8 KiB I/O permission bitmap, then the 0xff terminator byte. */
	public static final long TSS = 0x1_2000L;
	/** TSS limit (last valid byte offset): header + I/O bitmap, the terminator byte is at this offset. */
	public static final long TSS_LIMIT = 0x68 + 8192;
	/** CPL0 exception stubs, 16 bytes per vector: {@code out (0x80+v),al ; [add rsp,8] ; iretq}. */
	public static final long STUBS = 0x1_8000L;
	/** Bytes per exception stub. */
	public static final long STUB_SIZE = 16;
	/** The syscall gate (MSR LSTAR), run at CPL3 on this platform: {@code out 0xf0,al ; ud2}. */
	public static final long GATE = 0x1_9000L;
	/** Scratch page for a guest-side context switch (the prototype's -G mode): rax, rdx, rip, fs base. */
	public static final long SCRATCH = 0x1_a000L;
	/** XSAVE area for a guest-side context switch (standard format, 4 KiB). */
	public static final long XSAVE_AREA = 0x1_b000L;
	/**
	 * The landmark comparator's code (org.insight.vmm.code.Comparator), which a replay's patched landmark jumps to at
	 * CPL3: supervisor-only like the rest until a replay first installs the comparator, which makes this page and the
	 * next one user-reachable (org.insight.vmm.machine.LandmarkComparator); read-only.
	 */
	public static final long COMPARATOR_CODE = 0x1_c000L;
	/** The landmark comparator's data: the landmark's registers and the comparator's own stack; writable. */
	public static final long COMPARATOR_DATA = 0x1_d000L;
	/**
	 * The lock-call stubs (org.insight.vmm.machine.LockStubs): {@code int3} then a lock function's relocated first
	 * instructions, which its entry's {@code jmp} leads to in {@code --mode locks}. Supervisor-only until the first stub
	 * is installed, then user-reachable; read-only.
	 */
	public static final long LOCK_STUBS = 0x1_e000L;
	/**
	 * The lock stubs' data (ARCHITECTURE.md section 3, "Lock calls through stubs"): the countdown to the next lock-call
	 * sync point and the ring of lock calls not yet seen by the VMM ({@code org.insight.vmm.code.LockStubCode}).
	 * Supervisor-only until the first stub is installed, then user-reachable and writable: the stubs write it at CPL3.
	 */
	public static final long LOCK_DATA = 0x1_f000L;
	/** Top-level page table (CR3). Not mapped into the guest's address space: only the CPU's walker reads it. */
	public static final long PML4 = 0x2_0000L;
	/** TSS.RSP0: the CPL0 stack that exception delivery switches to. */
	public static final long KERNEL_STACK_TOP = 0x20_0000L;
	/** Pages of CPL0 stack mapped below {@link #KERNEL_STACK_TOP}; a stub frame needs 48 bytes. */
	public static final long KERNEL_STACK_SIZE = 0x4000;

	/** The kernel area: no user mapping may overlap it, and no frame below its end is handed out. */
	public static final long KERNEL_AREA_START = 0x1_0000L;
	public static final long KERNEL_AREA_END = 0x20_0000L;
	/** First guest-physical frame the frame allocator hands out. */
	public static final long FIRST_FREE_FRAME = KERNEL_AREA_END;

	/** I/O port of the syscall gate's exit. */
	public static final int GATE_PORT = 0xf0;
	/** I/O port of exception vector v's exit is {@code EXCEPTION_PORT_BASE + v}. */
	public static final int EXCEPTION_PORT_BASE = 0x80;

	/** Lowest address of a user mapping (everything below is the null page and the kernel area). */
	public static final long USER_START = KERNEL_AREA_END;
	/** Linux TASK_SIZE for 4-level paging: user mappings end at or below this address. */
	public static final long USER_TOP = 0x7fff_ffff_f000L;
	/** Top of the main thread's stack (the first byte above it is not mapped). */
	public static final long STACK_TOP = USER_TOP;
	/** The main thread's stack reservation (Linux's default RLIMIT_STACK). */
	public static final long STACK_SIZE = 8L << 20;
	/** mmap without a usable hint searches downwards from here (below the stack, like Linux's mmap_base). */
	public static final long MMAP_TOP = 0x7f00_0000_0000L;
	/**
	 * Where a dynamically linked program's interpreter (ld.so) is loaded: above {@link #MMAP_TOP}, so mmap without a
	 * hint never lands on it, and far from the program and its brk heap (Linux puts it at its mmap_base).
	 */
	public static final long INTERPRETER_BASE = MMAP_TOP;
	/** Where a static-PIE is loaded: Linux's ELF_ET_DYN_BASE on x86-64 (2/3 of TASK_SIZE, page aligned). */
	public static final long PIE_BIAS = 0x5555_5555_4000L;

	/** Default size of guest-physical memory (reserved, not committed). */
	public static final long DEFAULT_MEMORY_SIZE = 2L << 30;

	/**
	 * A range of the kernel area that is identity-mapped for the CPU to use.
	 *
	 * @param user     reachable from CPL3 (U=1 in the leaf entry): only the syscall gate, which {@code syscall} runs at
	 *                 CPL3 on PVM (a replay's landmark comparator makes its two pages user-reachable when it needs them, and the
	 *                 lock-call stubs theirs)
	 * @param writable W=1 in the leaf entry: only what the CPU writes (the kernel stack) or may write (the switch
	 *                 scratch and XSAVE area, the comparator's data). CR0.WP is set, so CPL0 cannot write the others either
	 */
	public record KernelRange(String name, long start, long end, boolean user, boolean writable) {
	}

	/**
	 * What of the kernel area is mapped, and how (ARCHITECTURE.md section 3a). The upper page-table levels keep U=1
	 * (the user pages share them, and the platform needs U/S=1 there); the leaves are supervisor-only except for the
	 * gate, and read-only except for the stack and scratch. The GDT can be read-only because its descriptors are
	 * written already accessed ({@link org.insight.vmm.machine.KernelArea}), and TR is loaded by KVM_SET_SREGS, not
	 * LTR, so the CPU never writes the TSS descriptor's busy bit. The page tables themselves are not among the ranges,
	 * so the guest cannot rewrite its own translations. {@link AddressSpaceConfig#kernelAreaUserMapped()} maps all of
	 * it user-writable instead, as before issue #12.
	 */
	public static final List<KernelRange> KERNEL_RANGES = List.of(new KernelRange("GDT", GDT, GDT + PAGE_SIZE, false,
			false), new KernelRange("IDT", IDT, IDT + PAGE_SIZE, false, false),
			new KernelRange("TSS and I/O bitmap", TSS, pageUp(TSS + TSS_LIMIT + 1), false, false),
			new KernelRange("exception stubs", STUBS, STUBS + PAGE_SIZE, false, false),
			new KernelRange("syscall gate", GATE, GATE + PAGE_SIZE, true, false),
			new KernelRange("switch scratch and XSAVE area", SCRATCH, XSAVE_AREA + PAGE_SIZE, false, true),
			new KernelRange("landmark comparator code", COMPARATOR_CODE, COMPARATOR_CODE + PAGE_SIZE, false, false),
			new KernelRange("landmark comparator data", COMPARATOR_DATA, COMPARATOR_DATA + PAGE_SIZE, false, true),
			new KernelRange("lock-call stubs", LOCK_STUBS, LOCK_STUBS + PAGE_SIZE, false, false),
			new KernelRange("lock-call countdown and ring", LOCK_DATA, LOCK_DATA + PAGE_SIZE, false, true),
			new KernelRange("kernel stack", KERNEL_STACK_TOP - KERNEL_STACK_SIZE, KERNEL_STACK_TOP, false, true));

	/** True for an address in the kernel area (mapped or not). */
	public static boolean isKernelArea(long va) {
		return va >= KERNEL_AREA_START && va < KERNEL_AREA_END;
	}

	/** {@code value} rounded up to a page boundary (callers make sure it cannot overflow). */
	public static long pageUp(long value) {
		return (value + PAGE_SIZE - 1) & -PAGE_SIZE;
	}

	public static long pageDown(long value) {
		return value & -PAGE_SIZE;
	}

	/** True for a 48-bit canonical address in the user half. */
	public static boolean isUserAddress(long va) {
		return va >= 0 && va < (1L << 47);
	}
}
