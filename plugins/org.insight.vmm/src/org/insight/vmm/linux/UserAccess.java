package org.insight.vmm.linux;

import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.memory.GuestStringTooLongException;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/** Checks on guest pointers that the address space's copy operations do not make by themselves. */
final class UserAccess {
	/** PATH_MAX counts the NUL. */
	static final int PATH_MAX = 4096;

	private UserAccess() {
	}

	/**
	 * Throws {@link GuestFault} unless the guest may write all of {@code [va, va+len)}. Used before consuming an
	 * input (stdin) whose bytes would otherwise be lost when the copy to the guest faults.
	 */
	static void requireWritable(AddressSpace memory, long va, long len) {
		if (len <= 0) {
			return;
		}
		long end = va + len;
		if (va < MachineLayout.USER_START || Long.compareUnsigned(end, MachineLayout.USER_TOP) > 0 || end < va) {
			throw new GuestFault(va, true, "not a user range of " + len + " bytes");
		}
		for (long at = va; at < end;) {
			final long where = at;
			Vma v = memory.vmaAt(at).orElseThrow(() -> new GuestFault(where, true, "not mapped"));
			if ((v.prot() & Mman.PROT_WRITE) == 0) {
				throw new GuestFault(at, true, "not writable");
			}
			at = v.end();
		}
	}

	/**
	 * A path argument. A path without a NUL within PATH_MAX throws {@link GuestStringTooLongException}, which the
	 * {@link SyscallTable} answers with -ENAMETOOLONG.
	 */
	static String path(AddressSpace memory, long va) {
		return memory.readCString(va, PATH_MAX - 1);
	}
}
