package org.insight.vmm.memory;

import org.insight.kvm.GuestMemory;

/** A real GuestMemory (anonymous host mapping, no KVM needed) with an AddressSpace on it. */
final class MemoryFixture implements AutoCloseable {
	static final long SIZE = 64L << 20;
	final GuestMemory memory;
	final AddressSpace space;

	MemoryFixture(AddressSpaceConfig config) {
		memory = GuestMemory.allocate(SIZE);
		space = new AddressSpace(memory, config);
	}

	/** The whole 64 MiB (minus the kernel area) as the cap, prefault off so demand paging is visible. */
	MemoryFixture() {
		this(new AddressSpaceConfig(SIZE - MachineLayout.FIRST_FREE_FRAME, 0, false));
	}

	HardwareWalk walk(long va) {
		return HardwareWalk.of(memory, MachineLayout.PML4, va, space.config().noExecute());
	}

	@Override
	public void close() {
		memory.close();
	}
}
