package org.insight.vmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.insight.kvm.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PageTablesTest {
	private final GuestMemory memory = GuestMemory.allocate(16L << 20);
	private final FrameAllocator frames = new FrameAllocator(memory, MachineLayout.FIRST_FREE_FRAME, 1000);
	private final PageTables tables = new PageTables(memory, frames, MachineLayout.PML4);

	@AfterEach
	void close() {
		memory.close();
	}

	@Test
	void everyLevelIsPresentWritableAndUser() {
		long va = 0x7f12_3456_7000L;
		long frame = frames.allocate();
		tables.setEntry(va, frame | PageTables.P | PageTables.U);
		assertEquals(3, tables.tableFrames(), "a PDPT, a PD and a PT");
		long table = MachineLayout.PML4;
		int[] shifts = { 39, 30, 21 };
		for (int level = 0; level < 3; level++) {
			long e = memory.getLong(table + 8 * ((va >>> shifts[level]) & 511));
			assertEquals(PageTables.P | PageTables.W | PageTables.U, e & 0xfff, "flags of level " + level);
			assertTrue((e & PageTables.ADDRESS) >= MachineLayout.FIRST_FREE_FRAME);
			table = e & PageTables.ADDRESS;
		}
		assertEquals(frame | PageTables.P | PageTables.U, memory.getLong(table + 8 * ((va >>> 12) & 511)));
		HardwareWalk hw = HardwareWalk.of(memory, MachineLayout.PML4, va + 0x123, false);
		assertTrue(hw.present());
		assertEquals(frame + 0x123, hw.physical());
		assertTrue(hw.user());
		assertFalse(hw.writable(), "the leaf decides: it has no W");
		assertEquals(hw.physical(), tables.translate(va + 0x123, false).physical());
	}

	@Test
	void tablesAreSharedBetweenNeighbours() {
		tables.setEntry(0x400000, frames.allocate() | PageTables.P);
		tables.setEntry(0x401000, frames.allocate() | PageTables.P);
		assertEquals(3, tables.tableFrames());
		tables.setEntry(0x400000 + (2L << 20), frames.allocate() | PageTables.P);
		assertEquals(4, tables.tableFrames(), "a new 2 MiB region needs one more PT");
	}

	@Test
	void nxCountsOnlyWithNxe() {
		long va = 0x500000;
		tables.setEntry(va, frames.allocate() | PageTables.P | PageTables.U | PageTables.NX);
		assertTrue(tables.translate(va, false).executable());
		assertFalse(tables.translate(va, true).executable());
		assertTrue(HardwareWalk.of(memory, MachineLayout.PML4, va, false).reservedBitFault(),
				"without EFER.NXE bit 63 is reserved: this is why the VMM leaves it clear by default");
	}

	@Test
	void missingEntriesAreNotPresent() {
		assertEquals(0, tables.entry(0x600000));
		assertEquals(-1, tables.slot(0x600000, false));
		assertFalse(tables.translate(0x600000, false).present());
		assertEquals(0, tables.tableFrames(), "a lookup creates nothing");
	}

	@Test
	void forEachEntrySkipsMissingTablesAndVisitsInOrder() {
		long[] vas = { 0x40_0000L, 0x40_1000L, 0x7fff_f000_0000L, 0x1000_0000_0000L };
		for (long va : vas) {
			tables.setEntry(va, frames.allocate() | PageTables.P);
		}
		tables.setEntry(0x40_2000L, 0); // zero entries are not visited
		List<Long> seen = new ArrayList<>();
		tables.forEachEntry(MachineLayout.USER_START, MachineLayout.USER_TOP, (va, slot, e) -> {
			seen.add(va);
			assertEquals(memory.getLong(slot), e);
		});
		assertEquals(List.of(0x40_0000L, 0x40_1000L, 0x1000_0000_0000L, 0x7fff_f000_0000L), seen);
		seen.clear();
		tables.forEachEntry(0x40_1000L, 0x40_2000L, (va, slot, e) -> seen.add(va));
		assertEquals(List.of(0x40_1000L), seen);
	}
}
