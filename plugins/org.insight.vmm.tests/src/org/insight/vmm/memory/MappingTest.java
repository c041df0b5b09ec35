package org.insight.vmm.memory;

import static org.insight.vmm.memory.Mman.MAP_ANONYMOUS;
import static org.insight.vmm.memory.Mman.MAP_FIXED;
import static org.insight.vmm.memory.Mman.MAP_PRIVATE;
import static org.insight.vmm.memory.Mman.PROT_NONE;
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

/** mmap, munmap, mprotect, brk and madvise: results and errno values as Linux gives them. */
class MappingTest {
	private static final int RW = PROT_READ | PROT_WRITE;
	private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
	private static final long MIB = 1L << 20;
	private static final long TIB = 1L << 40;

	private final MemoryFixture f = new MemoryFixture();
	private final AddressSpace space = f.space;

	@AfterEach
	void close() {
		f.close();
	}

	private static String vmas(AddressSpace space) {
		return space.vmas().toString();
	}

	@Test
	void anonymousMappingsGoDownFromMmapTop() {
		long a = space.mmap(0, 3 * 4096, RW, ANON);
		long b = space.mmap(0, 4096, PROT_READ, ANON);
		assertEquals(MachineLayout.MMAP_TOP - 3 * 4096, a);
		assertEquals(a - 4096, b);
		assertEquals(List.of(new Vma(b, a, PROT_READ, Vma.Kind.ANONYMOUS), new Vma(a, a + 3 * 4096, RW, Vma.Kind.ANONYMOUS)),
				space.vmas());
		long c = space.mmap(0, 100, RW, ANON);
		assertEquals(b - 4096, c, "the length is rounded up to a page");
		assertEquals(0, space.frames().inUse() - space.pageTables().tableFrames(), "nothing populated yet");
	}

	@Test
	void hintIsUsedWhenFreeAndIgnoredOtherwise() {
		long hint = 0x1000_0000L;
		assertEquals(hint, space.mmap(hint, 8192, RW, ANON));
		long second = space.mmap(hint, 8192, RW, ANON);
		assertEquals(MachineLayout.MMAP_TOP - 8192, second, "hint taken: the usual top-down search");
		assertEquals(0x2000_1000L, space.mmap(0x2000_0123L, 4096, RW, ANON), "an unaligned hint is rounded up");
	}

	@Test
	void lowHintIsRaisedToTheFirstUserAddress() {
		assertEquals(MachineLayout.USER_START, space.mmap(0x1000, 4096, RW, ANON));
	}

	@Test
	void mmapErrors() {
		assertEquals(-Errno.EINVAL, space.mmap(0, 0, RW, ANON), "zero length");
		assertEquals(-Errno.EINVAL, space.mmap(0, 4096, RW, MAP_ANONYMOUS), "neither private nor shared");
		assertEquals(-Errno.EBADF, space.mmap(0, 4096, RW, MAP_PRIVATE, -1, 0), "a file mapping without an fd");
		assertEquals(-Errno.ENODEV, space.mmap(0, 4096, RW, MAP_PRIVATE, 0, 0), "a file mapping of stdin");
		assertEquals(-Errno.EINVAL, space.mmap(0, 4096, RW, ANON, -1, 100), "unaligned offset");
		assertEquals(-Errno.EINVAL, space.mmap(0x1000_0010L, 4096, RW, ANON | MAP_FIXED), "unaligned MAP_FIXED");
		assertEquals(-Errno.EPERM, space.mmap(0x10000, 4096, RW, ANON | MAP_FIXED), "over the kernel area");
		assertEquals(-Errno.EPERM, space.mmap(0, 4096, RW, ANON | MAP_FIXED), "the null page");
		assertEquals(-Errno.ENOMEM, space.mmap(0, TIB, RW, ANON), "1 TiB, writable, reserved: more than the cap");
		assertEquals(-Errno.ENOMEM, space.mmap(0, -1L, RW, ANON), "length 2^64-1");
		assertEquals(-Errno.ENOMEM, space.mmap(0, Long.MIN_VALUE, RW, ANON), "length 2^63");
		assertEquals(-Errno.ENOMEM, space.mmap(MachineLayout.USER_TOP - 4096, 2 * 4096, RW, ANON | MAP_FIXED),
				"addr+len past the top of user memory");
		assertEquals(-Errno.ENOMEM, space.mmap(-4096L, 8192, RW, ANON | MAP_FIXED), "addr+len wraps around");
		assertEquals(-Errno.ENOMEM, space.mmap(0x8000_0000_0000L, 4096, RW, ANON | MAP_FIXED), "non-canonical");
		assertEquals(-Errno.ENOMEM, space.mmap(0, 4096, RW, ANON | Mman.MAP_HUGETLB), "no huge pages");
		assertEquals(List.of(), space.vmas(), "no failed call left a mapping behind");
	}

	@Test
	void hugeReservationsWithoutCommitment() {
		long a = space.mmap(0, TIB, RW, ANON | Mman.MAP_NORESERVE);
		assertTrue(a > 0 && a % 4096 == 0, "1 TiB with MAP_NORESERVE is only address space: " + a);
		long none = space.mmap(0, TIB, PROT_NONE, ANON);
		assertTrue(none > 0, "PROT_NONE is not charged either");
		long framesBefore = space.frames().inUse();
		assertTrue(space.handlePageFault(a + TIB - 1, AddressSpace.PF_WRITE | AddressSpace.PF_USER));
		assertEquals(framesBefore + 1 + 3, space.frames().inUse(), "one page and its three tables");
		assertEquals(0, space.munmap(a, TIB));
		assertEquals(framesBefore + 3, space.frames().inUse(), "the page went back; tables stay");
	}

	@Test
	void fixedMappingReplacesAndFreesWhatWasThere() {
		long a = space.mmap(0, 4 * 4096, RW, ANON);
		space.writeU64(a + 4096, 0xdead_beefL);
		long frame = space.translate(a + 4096).physical();
		long inUse = space.frames().inUse();
		assertEquals(a + 4096, space.mmap(a + 4096, 4096, PROT_READ, ANON | MAP_FIXED));
		assertEquals(inUse - 1, space.frames().inUse());
		assertEquals(0, f.memory.getLong(frame), "the old frame was discarded");
		assertEquals(0, space.readU64(a + 4096), "the new mapping is zero");
		assertEquals(3, space.vmas().size(), vmas(space));
		assertEquals(-Errno.EEXIST, space.mmap(a, 4096, RW, ANON | Mman.MAP_FIXED_NOREPLACE));
		long free = a - 16 * 4096;
		assertEquals(free, space.mmap(free, 4096, RW, ANON | Mman.MAP_FIXED_NOREPLACE));
	}

	@Test
	void munmapSplitsFreesAndTolerates() {
		long a = space.mmap(0, 3 * 4096, RW, ANON);
		for (int i = 0; i < 3; i++) {
			space.writeU32(a + i * 4096L, 7 + i);
		}
		long middle = space.translate(a + 4096).physical() & ~0xfffL;
		assertEquals(0, space.munmap(a + 4096, 4096));
		assertEquals(List.of(new Vma(a, a + 4096, RW, Vma.Kind.ANONYMOUS),
				new Vma(a + 8192, a + 12288, RW, Vma.Kind.ANONYMOUS)), space.vmas());
		assertFalse(f.walk(a + 4096).present());
		assertEquals(0, f.memory.getInt(middle), "discarded on the host: zero, and KVM's translation is gone");
		assertEquals(7, space.readU32(a));
		assertEquals(9, space.readU32(a + 8192));
		assertThrows(GuestFault.class, () -> space.readU32(a + 4096));
		assertEquals(0, space.munmap(0x1000_0000L, 4096), "nothing mapped there: fine");
		assertEquals(-Errno.EINVAL, space.munmap(a + 1, 4096));
		assertEquals(-Errno.EINVAL, space.munmap(a, 0));
		assertEquals(-Errno.EINVAL, space.munmap(a, TIB * 1024));
		assertEquals(-Errno.EINVAL, space.munmap(-4096L, 4096));
		assertEquals(0, space.munmap(MachineLayout.KERNEL_AREA_START, 4096), "the kernel area has no VMA");
		assertTrue(f.walk(MachineLayout.GDT).present(), "and stays mapped");
	}

	@Test
	void mprotectReducesAndRestores() {
		long a = space.mmap(0, 2 * 4096, RW, ANON);
		space.writeU64(a, 42);
		long frame = space.translate(a).physical();
		long invalidations = space.invalidations();
		assertEquals(0, space.mprotect(a, 4096, PROT_READ));
		assertFalse(f.walk(a).writable());
		assertTrue(f.walk(a).present());
		assertEquals(invalidations + 1, space.invalidations(), "a present page lost W: its frame is reprotected");
		assertThrows(GuestFault.class, () -> space.writeU64(a, 1));
		assertEquals(0, space.mprotect(a, 4096, PROT_NONE));
		assertFalse(f.walk(a).present());
		assertEquals(frame, space.pageTables().entry(a) & PageTables.ADDRESS, "PROT_NONE keeps the frame");
		assertFalse(space.handlePageFault(a, AddressSpace.PF_USER));
		assertEquals(0, space.mprotect(a, 4096, RW));
		assertEquals(42, space.readU64(a), "the data survived PROT_NONE");
		assertEquals(frame, f.walk(a).physical());
		assertEquals(List.of(new Vma(a, a + 8192, RW, Vma.Kind.ANONYMOUS)), space.vmas(), "merged again");
	}

	@Test
	void mprotectErrors() {
		long a = space.mmap(0, 4096, RW, ANON);
		assertEquals(-Errno.EINVAL, space.mprotect(a + 8, 4096, PROT_READ));
		assertEquals(0, space.mprotect(a, 0, PROT_READ), "zero length: nothing to do");
		assertEquals(-Errno.EINVAL, space.mprotect(a, 4096, 0x40));
		assertEquals(-Errno.EINVAL, space.mprotect(a, 4096, PROT_READ | Mman.PROT_GROWSDOWN));
		assertEquals(-Errno.ENOMEM, space.mprotect(a, 2 * 4096, PROT_READ), "runs past the mapping");
		assertEquals(RW, space.vmaAt(a).orElseThrow().prot(), "and nothing changed");
		assertEquals(-Errno.ENOMEM, space.mprotect(a - 4096, 2 * 4096, PROT_READ), "starts in a hole");
		assertEquals(-Errno.ENOMEM, space.mprotect(a, -1L, PROT_READ));
		assertEquals(-Errno.ENOMEM, space.mprotect(-4096L, 4096, PROT_READ));
	}

	@Test
	void brkGrowsShrinksAndRefuses() {
		long start = 0x60_0000L;
		space.initBrk(start);
		assertEquals(start, space.brk(0), "brk(0) asks for the current break");
		assertEquals(start + 10, space.brk(start + 10));
		assertEquals(List.of(new Vma(start, start + 4096, RW, Vma.Kind.HEAP)), space.vmas());
		space.writeU32(start + 5, 99);
		assertEquals(start + 0x21000, space.brk(start + 0x21000));
		assertEquals(List.of(new Vma(start, start + 0x21000, RW, Vma.Kind.HEAP)), space.vmas(), "one heap VMA");
		space.writeU32(start + 0x20000, 1);
		long inUse = space.frames().inUse();
		assertEquals(start + 100, space.brk(start + 100));
		assertEquals(inUse - 1, space.frames().inUse(), "the page at +0x20000 went back");
		assertEquals(99, space.readU32(start + 5));
		assertEquals(start + 100, space.brk(start - 4096), "below the start: refused, the old break comes back");
		assertEquals(start + 100, space.brk(-1L));
		assertEquals(start + 100, space.brk(start + TIB), "more than the cap");
		long blocker = space.mmap(start + 0x10000, 4096, RW, ANON | MAP_FIXED);
		assertEquals(start + 0x10000, blocker);
		assertEquals(start + 100, space.brk(start + 0x10000), "would touch the mapping above (no guard page)");
		assertEquals(start + 0xf000 - 1, space.brk(start + 0xf000 - 1), "leaves a guard page: fine");
	}

	@Test
	void brkBeforeTheLoaderIsAProgrammingError() {
		assertThrows(IllegalStateException.class, () -> space.brk(0));
	}

	@Test
	void madviseDontneedZeroesAndKeepsTheMapping() {
		long a = space.mmap(0, 2 * 4096, RW, ANON);
		space.writeU64(a, 5);
		space.writeU64(a + 4096, 6);
		long inUse = space.frames().inUse();
		assertEquals(0, space.madvise(a, 4096, Mman.MADV_DONTNEED));
		assertEquals(inUse - 1, space.frames().inUse());
		assertEquals(0, space.readU64(a));
		assertEquals(6, space.readU64(a + 4096));
		assertEquals(2, space.vmas().get(0).length() / 4096);
		assertEquals(0, space.madvise(a + 4096, 4096, Mman.MADV_FREE));
		assertEquals(6, space.readU64(a + 4096), "MADV_FREE may keep the data; here it does");
		assertEquals(-Errno.ENOMEM, space.madvise(a, 3 * 4096, Mman.MADV_DONTNEED), "runs into a hole");
		assertEquals(0, space.readU64(a + 4096), "the mapped part was still done, as in Linux");
		assertEquals(-Errno.EINVAL, space.madvise(a + 1, 4096, Mman.MADV_DONTNEED));
		assertEquals(-Errno.EINVAL, space.madvise(a, 4096, 77));
		assertEquals(-Errno.EINVAL, space.madvise(a, -1L, Mman.MADV_DONTNEED));
		assertEquals(0, space.madvise(a, 0, Mman.MADV_DONTNEED));
		assertEquals(-Errno.ENOMEM, space.madvise(-8192L, 4096, Mman.MADV_NORMAL));
	}

	@Test
	void memoryCapGivesEnomemAndOutOfMemory() {
		try (MemoryFixture small = new MemoryFixture(new AddressSpaceConfig(MIB, 0, false))) {
			AddressSpace s = small.space;
			assertEquals(-Errno.ENOMEM, s.mmap(0, 2 * MIB, RW, ANON), "more than the whole cap at once");
			long a = s.mmap(0, MIB, RW, ANON);
			assertTrue(a > 0);
			GuestOutOfMemoryException e = assertThrows(GuestOutOfMemoryException.class, () -> {
				for (long va = a; va < a + MIB; va += 4096) {
					assertTrue(s.handlePageFault(va, AddressSpace.PF_WRITE | AddressSpace.PF_USER));
				}
			});
			assertEquals(256, e.capFrames());
			assertEquals(256, s.frames().inUse());
			assertEquals(0, s.munmap(a, MIB));
			long b = s.mmap(0, 64 * 1024, RW, ANON | Mman.MAP_POPULATE);
			assertTrue(s.translate(b).present(), "room again: MAP_POPULATE populated");
			long c = s.mmap(0, MIB, RW, ANON | Mman.MAP_POPULATE);
			assertTrue(c > 0, "MAP_POPULATE without room still maps; the pages come on demand");
			assertFalse(s.translate(c).present());
		}
	}

	@Test
	void prefaultPopulatesSmallMappingsAtOnce() {
		try (MemoryFixture pre = new MemoryFixture(AddressSpaceConfig.defaults().withMemoryCap(8 * MIB))) {
			AddressSpace s = pre.space;
			long small = s.mmap(0, 16 * 4096, RW, ANON);
			for (long va = small; va < small + 16 * 4096; va += 4096) {
				assertTrue(pre.walk(va).present());
			}
			long large = s.mmap(0, 2 * MIB, RW, ANON);
			assertFalse(pre.walk(large).present());
			assertEquals(16, s.prefaulted());
			long none = s.mmap(0, 4096, PROT_NONE, ANON);
			assertFalse(pre.walk(none).present(), "PROT_NONE is never populated");
		}
	}
}
