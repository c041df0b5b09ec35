package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.insight.symbols.Symbol;
import org.insight.vmm.code.BranchTargets;
import org.insight.vmm.code.X86Decoder;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;
import org.insight.vmm.sched.LockFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lock stubs for code out of the kernel area's reach (a shared library below ld.so): the VMM's own page mapped near
 * it, out of the memory digest, the entry's jmp there, and a guest that unmaps that page taking the jmp with it.
 */
class LockStubsPageTest {
	/** Where a library's code is, as ld.so maps one just below MMAP_TOP. */
	static final long LIBRARY = MachineLayout.MMAP_TOP - 0x10_0000;
	static final long LOCK = LIBRARY + 0x100;
	/** endbr64 ; mov eax, 1 ; ret. */
	static final byte[] CODE = HexFormat.of().parseHex("f30f1efa" + "b801000000" + "c3");

	private final LoopFixture f = new LoopFixture(4);
	private final CodeBreakpoints breakpoints = new CodeBreakpoints(f.space);
	private final LockStubs stubs = new LockStubs(f.space, breakpoints);
	private final LockFunction lock = new LockFunction("pthread_mutex_lock", LOCK, LockFunction.LockObject.MUTEX,
			LockFunction.LockAction.ACQUIRE);

	@AfterEach
	void close() {
		f.close();
	}

	private void library() {
		f.space.map(LIBRARY, LIBRARY + 0x1000, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
		f.space.loadBytes(LOCK, CODE, 0, CODE.length);
		List<Symbol> functions = List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true));
		stubs.programCode(X86Decoder::shared, null);
		stubs.libraryCode(new BranchTargets(() -> functions, (va, len) -> f.space.copyIn(va, len),
				X86Decoder::shared));
	}

	/** The library with its lock function stubbed; the list hears of each stub whose page went. */
	private List<Long> stubbedLibrary() {
		library();
		List<Long> gone = new ArrayList<>();
		stubs.onPageGone(entry -> {
			gone.add(entry);
			stubs.gone(entry);
		});
		assertEquals(Optional.empty(), stubs.install(lock.address(), 0, true, (a, b) -> false));
		return gone;
	}

	private long jmpTarget(long entry) {
		byte[] jmp = f.space.copyIn(entry, 5);
		assertEquals((byte) 0xe9, jmp[0], "a jmp at the entry");
		return entry + 5 + java.nio.ByteBuffer.wrap(jmp, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
	}

	@Test
	void aLibrarysLockFunctionGetsAStubInAPageOfTheVmmsOwnNearIt() {
		library();
		byte[] before = f.space.sha256();
		assertEquals(Optional.empty(), stubs.install(lock.address(), 0, true, (a, b) -> false));
		long stub = jmpTarget(LOCK);
		assertEquals(LockStubs.NEAR_LIBRARIES, stub, "1 GiB above ld.so");
		Vma page = f.space.vmaAt(stub).orElseThrow();
		assertEquals(Vma.Kind.VMM, page.kind());
		assertEquals(Mman.PROT_READ | Mman.PROT_EXEC, page.prot(), "read-only for the guest");
		assertArrayEquals(HexFormat.of().parseHex("f30f1efa" + "b801000000" + "e9"), f.space.copyIn(
				org.insight.vmm.code.LockStubCode.movedAt(stub), 10));
		assertTrue(stubs.inStubCode(stub + 1));
		assertEquals(LOCK + 4, stubs.guestAddress(org.insight.vmm.code.LockStubCode.movedAt(stub) + 4),
				"a moved instruction's own address");
		assertEquals(org.insight.vmm.code.LockStubCode.movedAt(stub), stubs.resumeAt(LOCK));
		assertEquals(LOCK, stubs.entryAround(LOCK + 4));
		assertArrayEquals(CODE, breakpoints.guestCode(LOCK, CODE.length), "the guest reads its own bytes");
		breakpoints.clear();
		assertArrayEquals(before, f.space.sha256(), "the stub page is not in the memory digest");
	}

	/**
	 * A replay's analysis alone never maps a page of the VMM's own: its frames and range would be the replay's and not
	 * the recording's (the guest's memory cap, its mappings). An observing stub goes into one the lock functions'
	 * stubs made ready.
	 */
	@Test
	void anObservingStubWaitsForAPageTheLockFunctionsMadeReady() {
		library();
		byte[] before = f.space.sha256();
		long vmas = f.space.vmas().size();
		assertTrue(stubs.install(LOCK, 0, false, (a, b) -> false).orElseThrow().contains("out of a jmp's reach"));
		assertEquals(vmas, f.space.vmas().size(), "no page of the VMM's own mapped");
		assertArrayEquals(before, f.space.sha256());
		assertArrayEquals(CODE, f.space.copyIn(LOCK, CODE.length), "the entry is the guest's");
		long other = LOCK + 0x40;
		f.space.loadBytes(other, CODE, 0, CODE.length);
		stubs.libraryCode(new BranchTargets(() -> List.of(new Symbol("pthread_mutex_unlock", other, 0x40, true)),
				(va, len) -> f.space.copyIn(va, len), X86Decoder::shared));
		assertEquals(Optional.empty(), stubs.install(other, 1, true, (a, b) -> false), "a lock function's stub");
		assertEquals(Optional.empty(), stubs.install(LOCK, 0, false, (a, b) -> false), "then the observer's too");
		assertEquals(LockStubs.NEAR_LIBRARIES + 176, jmpTarget(LOCK));
	}

	@Test
	void aGuestThatUnmapsTheStubPageTakesTheJmpWithIt() {
		List<Long> gone = stubbedLibrary();
		assertEquals(0, f.space.munmap(LockStubs.NEAR_LIBRARIES, 0x1000));
		assertEquals(List.of(LOCK), gone);
		assertArrayEquals(CODE, f.space.copyIn(LOCK, CODE.length), "the guest's bytes are back");
		assertFalse(stubs.isEntry(LOCK));
		assertFalse(stubs.inStubCode(LockStubs.NEAR_LIBRARIES + 1));
		assertEquals(Optional.empty(), stubs.install(lock.address(), 0, true, (a, b) -> false), "and it can have a stub again");
		assertEquals(LockStubs.NEAR_LIBRARIES, jmpTarget(LOCK));
	}

	@Test
	void aGuestsMprotectOverTheStubPageTakesTheJmpOutToo() {
		List<Long> gone = stubbedLibrary();
		assertEquals(0, f.space.mprotect(LockStubs.NEAR_LIBRARIES, 0x1000, Mman.PROT_NONE));
		assertEquals(List.of(LOCK), gone, "a lock call never jumps into a page it cannot execute");
		assertArrayEquals(CODE, f.space.copyIn(LOCK, CODE.length));
		assertTrue(stubs.install(lock.address(), 0, true, (a, b) -> false).orElseThrow().contains("taken by the guest"),
				"the page is the guest's business from then on");
	}

	/**
	 * An analysis replay of a dynamic program: the observer watches libc's lock functions from its mmap, before their
	 * code is present; when the stub comes, it serves those watches and the site goes.
	 */
	@Test
	void theObserversEarlierWatchesMoveToTheStub() {
		library();
		breakpoints.add(LOCK, CodeBreakpoints.Owner.OBSERVER);
		breakpoints.add(LOCK, CodeBreakpoints.Owner.OBSERVER);
		LockCallTrap trap = new LockCallTrap(f.space, breakpoints, stubs, org.insight.vmm.sched.LockFunctions.find(
				org.insight.symbols.SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true)))));
		assertTrue(trap.armPending((a, b) -> false));
		assertEquals(1, trap.stubbed());
		assertFalse(breakpoints.has(LOCK, CodeBreakpoints.Owner.OBSERVER), "no site left");
		assertTrue(trap.watched(LOCK));
		assertTrue(trap.unwatch(LOCK));
		assertTrue(trap.unwatch(LOCK), "both watches");
		assertFalse(trap.watched(LOCK));
	}

	@Test
	void aThreadInsideTheRunOrAGuestMappingAtThePageRefusesTheStub() {
		library();
		assertTrue(stubs.install(lock.address(), 0, true, (a, b) -> true).orElseThrow().contains("a thread stands inside"));
		f.space.map(LockStubs.NEAR_LIBRARIES, LockStubs.NEAR_LIBRARIES + 0x1000, Mman.PROT_READ,
				Vma.Kind.ANONYMOUS);
		assertTrue(stubs.install(lock.address(), 0, true, (a, b) -> false).orElseThrow().contains("taken by the guest"));
		assertArrayEquals(CODE, f.space.copyIn(LOCK, CODE.length), "no jmp");
	}
}
