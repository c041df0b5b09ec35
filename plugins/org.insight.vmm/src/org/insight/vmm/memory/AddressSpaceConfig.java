package org.insight.vmm.memory;

/**
 * How an address space is set up.
 *
 * @param memoryCap     bytes of guest memory the guest may use at once (data and page tables); beyond it mmap,
 *                      brk and MAP_POPULATE fail with ENOMEM and a page fault ends the run
 * @param prefaultLimit mappings up to this many bytes (anonymous mmap, brk growth, the top of the stack) are
 *                      populated at once instead of on first touch: a demand fault costs ~43 µs here, a prefaulted
 *                      page ~6 µs (PLATFORM.md). 0 turns it off
 * @param noExecute     set the NX bit on pages without PROT_EXEC. Only valid when the machine sets EFER.NXE: without
 *                      it bit 63 is reserved and every access faults. The machine of the prototype runs with
 *                      EFER=0x501 (no NXE), so the default is off and every readable page is executable, as on
 *                      x86 without NX (Linux's READ_IMPLIES_EXEC)
 * @param maxVmas       most VMAs at once (Linux's vm.max_map_count): an mmap, or a munmap or mprotect that would split
 *                      an area, beyond it fails with ENOMEM, and brk keeps its break. It bounds the VMM's own
 *                      bookkeeping whatever the guest does
 * @param kernelAreaUserMapped map the whole kernel area user-writable (U=1, W=1 at the leaf), as before issue #12,
 *                      instead of supervisor-only and mostly read-only ({@link MachineLayout#KERNEL_RANGES}). Off by
 *                      default; on a host that turns a fault on a supervisor page into SHUTDOWN (a risk on PVM,
 *                      PLATFORM.md) the environment variable {@value #USER_MAPPED_ENV}=user turns it on. It lets the
 *                      guest rewrite the IDT, GDT and stubs, i.e. run its own code at CPL0 inside its VM
 */
public record AddressSpaceConfig(long memoryCap, long prefaultLimit, boolean noExecute, int maxVmas,
		boolean kernelAreaUserMapped) {
	/** Environment variable that, set to "user", maps the kernel area user-writable (see above). */
	public static final String USER_MAPPED_ENV = "INSIGHT_KERNEL_AREA";
	public static final long DEFAULT_PREFAULT = 64 * 1024;
	/** Linux's default vm.max_map_count. */
	public static final int DEFAULT_MAX_VMAS = 65530;

	public AddressSpaceConfig {
		if (memoryCap < MachineLayout.PAGE_SIZE || prefaultLimit < 0 || maxVmas < 8) {
			throw new IllegalArgumentException("bad address space configuration: memory cap " + memoryCap
					+ ", prefault limit " + prefaultLimit + ", VMA limit " + maxVmas);
		}
	}

	public AddressSpaceConfig(long memoryCap, long prefaultLimit, boolean noExecute, int maxVmas) {
		this(memoryCap, prefaultLimit, noExecute, maxVmas, false);
	}

	public AddressSpaceConfig(long memoryCap, long prefaultLimit, boolean noExecute) {
		this(memoryCap, prefaultLimit, noExecute, DEFAULT_MAX_VMAS);
	}

	/**
	 * All of a default-sized guest memory, 64 KiB prefault, no NX, the kernel area supervisor-only unless
	 * {@value #USER_MAPPED_ENV}=user.
	 */
	public static AddressSpaceConfig defaults() {
		return new AddressSpaceConfig(MachineLayout.DEFAULT_MEMORY_SIZE - MachineLayout.FIRST_FREE_FRAME,
				DEFAULT_PREFAULT, false, DEFAULT_MAX_VMAS, "user".equals(System.getenv(USER_MAPPED_ENV)));
	}

	public AddressSpaceConfig withKernelAreaUserMapped(boolean userMapped) {
		return new AddressSpaceConfig(memoryCap, prefaultLimit, noExecute, maxVmas, userMapped);
	}

	public AddressSpaceConfig withMemoryCap(long bytes) {
		return new AddressSpaceConfig(bytes, prefaultLimit, noExecute, maxVmas, kernelAreaUserMapped);
	}

	public AddressSpaceConfig withPrefaultLimit(long bytes) {
		return new AddressSpaceConfig(memoryCap, bytes, noExecute, maxVmas, kernelAreaUserMapped);
	}

	public AddressSpaceConfig withMaxVmas(int n) {
		return new AddressSpaceConfig(memoryCap, prefaultLimit, noExecute, n, kernelAreaUserMapped);
	}
}
