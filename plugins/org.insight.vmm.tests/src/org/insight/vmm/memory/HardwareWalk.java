package org.insight.vmm.memory;

import org.insight.kvm.GuestMemory;

/**
 * An x86-64 4-level page walk written from the Intel SDM (vol. 3, 4.5), independent of {@link PageTables}: the
 * oracle for what the CPU will see in guest memory. Raw entries are decoded bit by bit.
 */
record HardwareWalk(boolean present, long physical, boolean writable, boolean user, boolean executable,
		boolean reservedBitFault, int levelsPresent) {

	static HardwareWalk of(GuestMemory memory, long cr3, long va, boolean nxe) {
		long table = cr3 & 0x000f_ffff_ffff_f000L;
		boolean w = true;
		boolean u = true;
		boolean xd = false;
		int[] shifts = { 39, 30, 21, 12 };
		for (int level = 0; level < 4; level++) {
			long e = memory.getLong(table + 8 * ((va >>> shifts[level]) & 0x1ff));
			if ((e & 1) == 0) {
				return new HardwareWalk(false, -1, false, false, false, false, level);
			}
			if (!nxe && e < 0) {
				return new HardwareWalk(false, -1, false, false, false, true, level);
			}
			if (level >= 1 && level <= 2 && (e & 0x80) != 0) {
				throw new AssertionError("large page (PS=1) at level " + level + ": the VMM maps 4 KiB pages only");
			}
			w &= (e & 2) != 0;
			u &= (e & 4) != 0;
			xd |= nxe && e < 0;
			table = e & 0x000f_ffff_ffff_f000L;
		}
		return new HardwareWalk(true, table | (va & 0xfff), w, u, !xd, false, 4);
	}
}
