package org.insight.vmm.memory;

import static org.insight.vmm.memory.AddressSpace.PF_FETCH;
import static org.insight.vmm.memory.AddressSpace.PF_PRESENT;
import static org.insight.vmm.memory.AddressSpace.PF_RESERVED;
import static org.insight.vmm.memory.AddressSpace.PF_USER;
import static org.insight.vmm.memory.AddressSpace.PF_WRITE;
import static org.insight.vmm.memory.Mman.MAP_ANONYMOUS;
import static org.insight.vmm.memory.Mman.MAP_PRIVATE;
import static org.insight.vmm.memory.Mman.PROT_EXEC;
import static org.insight.vmm.memory.Mman.PROT_NONE;
import static org.insight.vmm.memory.Mman.PROT_READ;
import static org.insight.vmm.memory.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the CPU sees before and after the VMM handles a #PF, decoded from guest memory by an independent walker. */
class DemandPagingTest {
	private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
	private final MemoryFixture f = new MemoryFixture();
	private final AddressSpace space = f.space;

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void kernelAreaIsIdentityMappedSupervisorOnlyButThePageTablesAreNot() {
		for (MachineLayout.KernelRange r : MachineLayout.KERNEL_RANGES) {
			for (long va = r.start(); va < r.end(); va += 4096) {
				HardwareWalk hw = f.walk(va + 8);
				String where = r.name() + " at " + Long.toHexString(va);
				assertTrue(hw.present(), where);
				assertEquals(va + 8, hw.physical(), where);
				boolean gate = va == MachineLayout.GATE;
				assertEquals(gate, hw.user(), where + ": only the syscall gate is reachable from CPL3");
				boolean stack = va >= MachineLayout.KERNEL_STACK_TOP - MachineLayout.KERNEL_STACK_SIZE
						|| va == MachineLayout.SCRATCH || va == MachineLayout.XSAVE_AREA
						|| va == MachineLayout.COMPARATOR_DATA || va == MachineLayout.LOCK_DATA;
				assertEquals(stack, hw.writable(), where
						+ ": only the stack, scratch, comparator data and lock-call ring are writable");
			}
		}
		for (String name : new String[] { "GDT", "IDT", "TSS and I/O bitmap", "exception stubs", "syscall gate" }) {
			assertTrue(MachineLayout.KERNEL_RANGES.stream().anyMatch(r -> r.name().equals(name) && !r.writable()),
					name);
		}
		assertFalse(f.walk(MachineLayout.PML4).present(), "the guest cannot rewrite its page tables");
		assertFalse(f.walk(0).present(), "null page");
		assertFalse(f.walk(MachineLayout.KERNEL_STACK_TOP).present());
		assertFalse(space.handlePageFault(MachineLayout.PML4, PF_WRITE | PF_USER), "and a fault there is real");
		for (long va : new long[] { MachineLayout.IDT, MachineLayout.STUBS + 3 * 16, MachineLayout.GDT,
				MachineLayout.KERNEL_STACK_TOP - 8, MachineLayout.GATE }) {
			long before = space.pageTables().entry(MachineLayout.pageDown(va));
			assertFalse(space.handlePageFault(va, PF_PRESENT | PF_WRITE | PF_USER), "a user write at 0x"
					+ Long.toHexString(va) + " is a SIGSEGV, not a page to populate");
			assertFalse(space.handlePageFault(va, PF_PRESENT | PF_USER), "a user read at 0x" + Long.toHexString(va));
			assertEquals(before, space.pageTables().entry(MachineLayout.pageDown(va)), "entry left as it was");
		}
		assertEquals(0, space.demandFaults() + space.spuriousFaults());
	}

	@Test
	void theOldUserWritableKernelAreaIsAConfigurationChoice() {
		try (MemoryFixture old = new MemoryFixture(new AddressSpaceConfig(16 << 20, 0, false).withKernelAreaUserMapped(
				true))) {
			for (MachineLayout.KernelRange r : MachineLayout.KERNEL_RANGES) {
				HardwareWalk hw = old.walk(r.start());
				assertTrue(hw.present() && hw.user() && hw.writable(), r.name());
			}
		}
		assertFalse(AddressSpaceConfig.defaults().kernelAreaUserMapped() && System.getenv(
				AddressSpaceConfig.USER_MAPPED_ENV) == null, "supervisor-only by default");
	}

	@Test
	void firstTouchPopulatesWithThePermissionsOfTheMapping() {
		long rw = space.mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, ANON);
		long ro = space.mmap(0, 4096, PROT_READ, ANON);
		assertFalse(f.walk(rw).present());
		assertTrue(space.handlePageFault(rw + 4096 + 17, PF_WRITE | PF_USER));
		HardwareWalk page = f.walk(rw + 4096 + 17);
		assertTrue(page.present() && page.writable() && page.user() && page.executable(), page.toString());
		assertTrue(page.physical() >= MachineLayout.FIRST_FREE_FRAME && page.physical() < MemoryFixture.SIZE);
		assertEquals(17, page.physical() & 0xfff);
		assertEquals(space.translate(rw + 4096 + 17).physical(), page.physical());
		assertFalse(f.walk(rw).present(), "only the touched page");
		assertEquals(1, space.demandFaults());
		long entry = space.pageTables().entry(rw + 4096);
		assertEquals(PageTables.A | PageTables.D, entry & (PageTables.A | PageTables.D),
				"A and D preset: the CPU need not write the entry back");

		assertFalse(space.handlePageFault(ro, PF_WRITE | PF_USER), "write to a read-only mapping");
		assertTrue(space.handlePageFault(ro, PF_USER));
		HardwareWalk roPage = f.walk(ro);
		assertTrue(roPage.present() && !roPage.writable());
		assertFalse(space.handlePageFault(ro, PF_PRESENT | PF_WRITE | PF_USER), "protection fault: SIGSEGV");
	}

	@Test
	void realFaults() {
		long none = space.mmap(0, 4096, PROT_NONE, ANON);
		assertFalse(space.handlePageFault(none, PF_USER));
		assertFalse(space.handlePageFault(0x1000_0000L, PF_USER), "unmapped");
		assertFalse(space.handlePageFault(0, PF_USER), "null");
		assertFalse(space.handlePageFault(0xffff_8000_0000_0000L, PF_USER), "kernel half");
		long rw = space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
		assertFalse(space.handlePageFault(rw, PF_RESERVED | PF_PRESENT | PF_USER), "reserved bit: never ours to fix");
		assertEquals(0, space.demandFaults());
	}

	@Test
	void spuriousFaultOnAPresentPageIsAbsorbed() {
		long rw = space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
		assertTrue(space.handlePageFault(rw, PF_WRITE | PF_USER));
		long frame = f.walk(rw).physical();
		assertTrue(space.handlePageFault(rw, PF_PRESENT | PF_WRITE | PF_USER), "KVM had a stale translation");
		assertEquals(1, space.spuriousFaults());
		assertEquals(frame, f.walk(rw).physical(), "same frame");
	}

	@Test
	void executeWithoutNxFollowsReadImpliesExec() {
		long data = space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
		assertTrue(space.handlePageFault(data, PF_FETCH | PF_USER), "no NXE: a readable page is executable");
		try (MemoryFixture nx = new MemoryFixture(new AddressSpaceConfig(16 << 20, 0, true))) {
			long d = nx.space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
			long code = nx.space.mmap(0, 4096, PROT_READ | PROT_EXEC, ANON);
			assertFalse(nx.space.handlePageFault(d, PF_FETCH | PF_USER));
			assertTrue(nx.space.handlePageFault(d, PF_WRITE | PF_USER));
			assertFalse(nx.walk(d).executable(), "NX set in the leaf");
			assertTrue(nx.space.handlePageFault(code, PF_FETCH | PF_USER));
			assertTrue(nx.walk(code).executable());
		}
	}

	@Test
	void freedFramesAreReusedZeroed() {
		long a = space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
		space.writeU64(a + 8, -1L);
		long frame = f.walk(a).physical();
		space.munmap(a, 4096);
		long b = space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
		assertTrue(space.handlePageFault(b, PF_USER));
		assertEquals(frame, f.walk(b).physical(), "the lowest free frame comes back first");
		assertEquals(0, f.memory.getLong(frame + 8));
	}

	@Test
	void digestIgnoresWhereFramesAre() {
		try (MemoryFixture other = new MemoryFixture()) {
			long a1 = space.mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, ANON);
			long a2 = other.space.mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, ANON);
			assertEquals(a1, a2);
			space.writeU32(a1, 1);
			space.writeU32(a1 + 4096, 2);
			other.space.writeU32(a2 + 4096, 2); // other order: other frames
			other.space.writeU32(a2, 1);
			assertFalse(f.walk(a1).physical() == other.walk(a2).physical());
			assertEquals(java.util.HexFormat.of().formatHex(space.sha256()),
					java.util.HexFormat.of().formatHex(other.space.sha256()));
			other.space.writeU32(a2 + 8, 3);
			assertFalse(java.util.Arrays.equals(space.sha256(), other.space.sha256()));
		}
	}

	/** The VMM's own pages (lock-call stubs near a PIE program or its libraries) are not the guest's state. */
	@Test
	void digestLeavesOutTheVmmsOwnPages() {
		try (MemoryFixture other = new MemoryFixture()) {
			long a1 = space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
			other.space.mmap(0, 4096, PROT_READ | PROT_WRITE, ANON);
			space.writeU32(a1, 7);
			other.space.writeU32(a1, 7);
			long stubs = MachineLayout.INTERPRETER_BASE + (1L << 30);
			other.space.map(stubs, stubs + 4096, PROT_READ | Mman.PROT_EXEC, Vma.Kind.VMM);
			other.space.loadBytes(stubs, new byte[] { (byte) 0xcc }, 0, 1);
			assertArrayEquals(space.sha256(), other.space.sha256());
			assertEquals(space.pageDigests().toString(), other.space.pageDigests().toString());
			assertTrue(other.space.vmaAt(stubs).isPresent(), "it is mapped, so the guest's mmap goes around it");
		}
	}

	@Test
	void pageDigestsNameTheDifferingPageAndKeepTheWholeDigest() throws Exception {
		try (MemoryFixture other = new MemoryFixture()) {
			long a1 = space.mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, ANON);
			long a2 = other.space.mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, ANON);
			space.writeU32(a1, 1);
			space.writeU32(a1 + 2 * 4096, 2);
			other.space.writeU32(a2 + 2 * 4096, 2);
			other.space.writeU32(a2, 1);
			java.util.List<AddressSpace.PageDigest> mine = space.pageDigests();
			assertEquals(java.util.List.of(a1, a1 + 2 * 4096), mine.stream().map(AddressSpace.PageDigest::va).toList(),
					"only populated pages, in address order");
			assertEquals(mine.toString(), other.space.pageDigests().toString());

			other.space.writeU32(a2 + 2 * 4096 + 100, 3);
			java.util.List<AddressSpace.PageDigest> theirs = other.space.pageDigests();
			assertTrue(java.util.Arrays.equals(mine.get(0).sha256(), theirs.get(0).sha256()));
			assertFalse(java.util.Arrays.equals(mine.get(1).sha256(), theirs.get(1).sha256()),
					"the page written differs");
			assertFalse(java.util.Arrays.equals(space.sha256(), other.space.sha256()));

			// the whole digest is still SHA-256 over each VMA and each populated page's address and bytes
			java.security.MessageDigest expected = java.security.MessageDigest.getInstance("SHA-256");
			for (Vma v : space.vmas()) {
				expected.update(v.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
				for (AddressSpace.PageDigest p : mine) {
					if (v.contains(p.va())) {
						assertEquals(v, p.vma());
						expected.update(Long.toHexString(p.va()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
						expected.update(space.copyIn(p.va(), 4096));
					}
				}
			}
			assertTrue(java.util.Arrays.equals(expected.digest(), space.sha256()));
		}
	}
}
