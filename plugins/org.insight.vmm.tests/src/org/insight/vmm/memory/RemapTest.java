package org.insight.vmm.memory;

import static org.insight.vmm.memory.Mman.MAP_ANONYMOUS;
import static org.insight.vmm.memory.Mman.MAP_FIXED;
import static org.insight.vmm.memory.Mman.MAP_PRIVATE;
import static org.insight.vmm.memory.Mman.MREMAP_DONTUNMAP;
import static org.insight.vmm.memory.Mman.MREMAP_FIXED;
import static org.insight.vmm.memory.Mman.MREMAP_MAYMOVE;
import static org.insight.vmm.memory.Mman.PROT_READ;
import static org.insight.vmm.memory.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.insight.vmm.linux.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** mremap(2) over the address space (no KVM): in place, moved with its frames, fixed, kept, and its errors. */
class RemapTest {
	private static final int RW = PROT_READ | PROT_WRITE;
	private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
	private static final long PAGE = 4096;

	private final MemoryFixture f = new MemoryFixture();
	private final AddressSpace space = f.space;

	@AfterEach
	void close() {
		f.close();
	}

	private long mapped(long pages) {
		long a = space.mmap(0, pages * PAGE, RW, ANON);
		for (long i = 0; i < pages; i++) {
			space.writeU64(a + i * PAGE, 0x1000 + i);
		}
		return a;
	}

	@Test
	void shrinksInPlaceAndFreesTheTail() {
		long a = mapped(4);
		long before = space.frames().inUse();
		assertEquals(a, space.mremap(a, 4 * PAGE, 2 * PAGE, 0, 0));
		assertEquals(List.of(new Vma(a, a + 2 * PAGE, RW, Vma.Kind.ANONYMOUS)), space.vmas());
		assertEquals(before - 2, space.frames().inUse());
		assertEquals(0x1001, space.readU64(a + PAGE));
	}

	@Test
	void growsInPlaceWhenThePagesAfterAreFree() {
		long a = space.mmap(0x1000_0000L, 2 * PAGE, RW, ANON | MAP_FIXED);
		space.writeU64(a, 7);
		assertEquals(a, space.mremap(a, 2 * PAGE, 5 * PAGE, 0, 0));
		assertEquals(a + 5 * PAGE, space.vmaAt(a + 4 * PAGE).orElseThrow().end());
		assertEquals(7, space.readU64(a));
		assertEquals(0, space.readU64(a + 4 * PAGE), "the new pages read zero");
	}

	@Test
	void growsByMovingItsFramesWhenBlocked() {
		long a = mapped(3); // top-down: the next mapping goes right below, so a's end is followed by what was first
		long blocker = space.mmap(a + 3 * PAGE, PAGE, PROT_READ, ANON | MAP_FIXED);
		assertEquals(a + 3 * PAGE, blocker);
		assertEquals(-Errno.ENOMEM, space.mremap(a, 3 * PAGE, 6 * PAGE, 0, 0), "cannot grow in place, may not move");
		long inUse = space.frames().inUse();
		long to = space.mremap(a, 3 * PAGE, 6 * PAGE, MREMAP_MAYMOVE, 0);
		assertTrue(to > 0 && to != a, Long.toHexString(to));
		for (long i = 0; i < 3; i++) {
			assertEquals(0x1000 + i, space.readU64(to + i * PAGE), "page " + i + " kept its contents");
		}
		assertEquals(0, space.readU64(to + 5 * PAGE));
		assertFalse(space.vmaAt(a).isPresent(), "the old range is gone");
		assertTrue(space.frames().inUse() <= inUse + 4, "frames moved, not copied: " + space.frames().inUse());
	}

	@Test
	void movesToAFixedAddressReplacingWhatWasThere() {
		long a = mapped(2);
		long target = space.mmap(0x2000_0000L, 4 * PAGE, PROT_READ, ANON | MAP_FIXED);
		assertEquals(target, space.mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target));
		assertEquals(0x1001, space.readU64(target + PAGE));
		assertEquals(new Vma(target, target + 2 * PAGE, RW, Vma.Kind.ANONYMOUS), space.vmaAt(target).orElseThrow());
		assertEquals(new Vma(target + 2 * PAGE, target + 4 * PAGE, PROT_READ, Vma.Kind.ANONYMOUS),
				space.vmaAt(target + 3 * PAGE).orElseThrow(), "the rest of the replaced mapping stays");
		assertFalse(space.vmaAt(a).isPresent());
	}

	@Test
	void dontUnmapKeepsTheOldRangeEmpty() {
		long a = mapped(2);
		long to = space.mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
		assertEquals(0x1000, space.readU64(to));
		assertTrue(space.vmaAt(a).isPresent());
		assertEquals(0, space.readU64(a), "the old range reads zero");
	}

	@Test
	void errorsAreLinuxs() {
		long a = mapped(2);
		assertEquals(-Errno.EINVAL, space.mremap(a + 1, PAGE, PAGE, 0, 0), "unaligned");
		assertEquals(-Errno.EINVAL, space.mremap(a, PAGE, 0, 0, 0), "new size 0");
		assertEquals(-Errno.EINVAL, space.mremap(a, 0, PAGE, MREMAP_MAYMOVE, 0), "old size 0: only shared mappings");
		assertEquals(-Errno.EINVAL, space.mremap(a, PAGE, PAGE, 8, 0), "unknown flag");
		assertEquals(-Errno.EINVAL, space.mremap(a, PAGE, PAGE, MREMAP_FIXED, 0x3000_0000L), "FIXED without MAYMOVE");
		assertEquals(-Errno.EINVAL, space.mremap(a, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0),
				"DONTUNMAP with a new size");
		assertEquals(-Errno.EINVAL, space.mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a + PAGE),
				"overlapping ranges");
		assertEquals(-Errno.EFAULT, space.mremap(0x3000_0000L, PAGE, PAGE, 0, 0), "nothing mapped there");
		assertEquals(-Errno.EFAULT, space.mremap(a, 3 * PAGE, 3 * PAGE, 0, 0), "past the end of the mapping");
		assertEquals(-Errno.EINVAL, space.mremap(a, -1L, PAGE, 0, 0), "old size 2^64-1");
		assertThrows(GuestFault.class, () -> space.readU64(0x3000_0000L));
	}
}
