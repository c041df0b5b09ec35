package org.insight.vmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.kvm.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameAllocatorTest {
	private final GuestMemory memory = GuestMemory.allocate(4L << 20);

	@AfterEach
	void close() {
		memory.close();
	}

	@Test
	void framesStartAboveTheKernelAreaAndAreZero() {
		FrameAllocator frames = new FrameAllocator(memory, MachineLayout.FIRST_FREE_FRAME, 100);
		long a = frames.allocate();
		long b = frames.allocate();
		assertEquals(MachineLayout.FIRST_FREE_FRAME, a);
		assertEquals(a + 4096, b);
		assertEquals(2, frames.inUse());
		memory.putLong(a + 8, 0x1122334455667788L);
		frames.free(a);
		assertEquals(0, memory.getLong(a + 8), "a freed frame is discarded on the host, which zeroes it");
		assertEquals(a, frames.allocate(), "freed frames are reused first");
		assertEquals(1, frames.discards());
	}

	@Test
	void capIsEnforcedAndReportedAsOutOfMemory() {
		FrameAllocator frames = new FrameAllocator(memory, MachineLayout.FIRST_FREE_FRAME, 3);
		long[] got = { frames.allocate(), frames.allocate(), frames.allocate() };
		GuestOutOfMemoryException e = assertThrows(GuestOutOfMemoryException.class, frames::allocate);
		assertEquals("guest out of memory: all 3 frames (0 MiB) of the memory cap are in use", e.getMessage());
		assertEquals(3, e.capFrames());
		frames.free(got, 3);
		assertEquals(0, frames.inUse());
		assertEquals(3, frames.peak());
		assertEquals(1, frames.discards(), "three adjacent frames: one host call");
		frames.allocate();
	}

	@Test
	void capIsBoundedByTheMemory() {
		FrameAllocator frames = new FrameAllocator(memory, MachineLayout.FIRST_FREE_FRAME, Long.MAX_VALUE);
		assertEquals((memory.size() - MachineLayout.FIRST_FREE_FRAME) / 4096, frames.capFrames());
	}

	@Test
	void doubleFreeAndForeignFramesAreRefused() {
		FrameAllocator frames = new FrameAllocator(memory, MachineLayout.FIRST_FREE_FRAME, 10);
		long a = frames.allocate();
		frames.free(a);
		IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> frames.free(a));
		assertTrue(twice.getMessage().contains("0x200000"), twice.getMessage());
		assertThrows(IllegalArgumentException.class, () -> frames.free(MachineLayout.PML4));
		assertThrows(IllegalArgumentException.class, () -> frames.free(a + 4096 * 5));
	}
}
