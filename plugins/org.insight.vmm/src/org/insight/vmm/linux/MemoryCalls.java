package org.insight.vmm.linux;

/**
 * The memory room: page-table edits done by the {@link org.insight.vmm.memory.AddressSpace}, which returns Linux's
 * results and errno values itself.
 */
final class MemoryCalls {
	private MemoryCalls() {
	}

	static void register(SyscallTable t) {
		t.register(Syscalls.MMAP,
				(p, th, a) -> FileMappings.mmap(p, a.a0(), a.a1(), a.intArg(2), a.intArg(3), a.intArg(4), a.a5()));
		t.register(Syscalls.MUNMAP, (p, th, a) -> p.memory().munmap(a.a0(), a.a1()));
		t.register(Syscalls.MPROTECT, (p, th, a) -> p.memory().mprotect(a.a0(), a.a1(), a.intArg(2)));
		t.register(Syscalls.BRK, (p, th, a) -> p.memory().brk(a.a0()));
		t.register(Syscalls.MADVISE, (p, th, a) -> p.memory().madvise(a.a0(), a.a1(), a.intArg(2)));
		t.register(Syscalls.MREMAP,
				(p, th, a) -> p.memory().mremap(a.a0(), a.a1(), a.a2(), a.intArg(3), a.a4()));
	}
}
