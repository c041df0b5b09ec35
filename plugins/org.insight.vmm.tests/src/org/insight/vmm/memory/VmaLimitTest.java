package org.insight.vmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.vmm.linux.Errno;
import org.junit.jupiter.api.Test;

/** The VMA limit (Linux's vm.max_map_count): the guest cannot make the VMM's bookkeeping grow without bound. */
class VmaLimitTest {
	private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
	private static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

	@Test
	void mmapMunmapMprotectAndBrkStopAtTheLimitWithEnomem() {
		int limit = 64;
		try (MemoryFixture f = new MemoryFixture(new AddressSpaceConfig(MemoryFixture.SIZE
				- MachineLayout.FIRST_FREE_FRAME, 0, false).withMaxVmas(limit))) {
			AddressSpace s = f.space;
			s.initBrk(0x1000_0000L);
			long base = 0x2000_0000L;
			// alternating protections, so no two neighbours merge
			int made = 0;
			while (true) {
				long r = s.mmap(base + made * 4096L, 4096, made % 2 == 0 ? RW : Mman.PROT_READ, ANON | Mman.MAP_FIXED);
				if (r < 0) {
					assertEquals(-Errno.ENOMEM, r);
					break;
				}
				made++;
				assertTrue(made <= limit, "more than " + limit + " VMAs");
			}
			assertEquals(limit, s.vmas().size());
			long big = s.mmap(0, 16 * 4096, RW, ANON);
			assertEquals(-Errno.ENOMEM, big);
			// freeing one makes room again
			assertEquals(0, s.munmap(base, 4096));
			big = s.mmap(0, 16 * 4096, RW, ANON);
			assertTrue(big > 0);
			// a split in the middle of an area needs one more, which is refused at the limit
			assertEquals(-Errno.ENOMEM, s.munmap(big + 4096, 4096));
			assertEquals(-Errno.ENOMEM, s.mprotect(big + 4096, 4096, Mman.PROT_READ));
			assertEquals(0x1000_0000L, s.brk(0x1000_0000L + 8192), "brk keeps its break at the limit");
			// unmapping a whole area, or the end of one, needs no new one
			assertEquals(0, s.munmap(big + 15 * 4096, 4096));
			assertEquals(limit, s.vmas().size());
		}
	}
}
