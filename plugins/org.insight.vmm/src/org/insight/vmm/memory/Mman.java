package org.insight.vmm.memory;

/** The Linux x86-64 values of {@code <sys/mman.h>} that the memory syscalls take. */
public final class Mman {
	private Mman() {
	}

	public static final int PROT_NONE = 0;
	public static final int PROT_READ = 1;
	public static final int PROT_WRITE = 2;
	public static final int PROT_EXEC = 4;
	public static final int PROT_SEM = 8;
	public static final int PROT_GROWSDOWN = 0x0100_0000;
	public static final int PROT_GROWSUP = 0x0200_0000;

	public static final int MAP_SHARED = 0x01;
	public static final int MAP_PRIVATE = 0x02;
	public static final int MAP_SHARED_VALIDATE = 0x03;
	public static final int MAP_TYPE = 0x0f;
	public static final int MAP_FIXED = 0x10;
	/** mremap(2) flags. */
	public static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
	public static final int MAP_ANONYMOUS = 0x20;
	public static final int MAP_GROWSDOWN = 0x100;
	public static final int MAP_DENYWRITE = 0x800;
	public static final int MAP_EXECUTABLE = 0x1000;
	public static final int MAP_LOCKED = 0x2000;
	public static final int MAP_NORESERVE = 0x4000;
	public static final int MAP_POPULATE = 0x8000;
	public static final int MAP_NONBLOCK = 0x1_0000;
	public static final int MAP_STACK = 0x2_0000;
	public static final int MAP_HUGETLB = 0x4_0000;
	public static final int MAP_SYNC = 0x8_0000;
	public static final int MAP_FIXED_NOREPLACE = 0x10_0000;

	public static final int MADV_NORMAL = 0;
	public static final int MADV_RANDOM = 1;
	public static final int MADV_SEQUENTIAL = 2;
	public static final int MADV_WILLNEED = 3;
	public static final int MADV_DONTNEED = 4;
	public static final int MADV_FREE = 8;
	public static final int MADV_REMOVE = 9;
	public static final int MADV_DONTFORK = 10;
	public static final int MADV_DOFORK = 11;
	public static final int MADV_MERGEABLE = 12;
	public static final int MADV_UNMERGEABLE = 13;
	public static final int MADV_HUGEPAGE = 14;
	public static final int MADV_NOHUGEPAGE = 15;
	public static final int MADV_DONTDUMP = 16;
	public static final int MADV_DODUMP = 17;
	public static final int MADV_WIPEONFORK = 18;
	public static final int MADV_KEEPONFORK = 19;
	public static final int MADV_COLD = 20;
	public static final int MADV_PAGEOUT = 21;
	public static final int MADV_POPULATE_READ = 22;
	public static final int MADV_POPULATE_WRITE = 23;

	/** "rw-" style, as in /proc/self/maps. */
	public static String protString(int prot) {
		return ((prot & PROT_READ) != 0 ? "r" : "-") + ((prot & PROT_WRITE) != 0 ? "w" : "-")
				+ ((prot & PROT_EXEC) != 0 ? "x" : "-");
	}
}
