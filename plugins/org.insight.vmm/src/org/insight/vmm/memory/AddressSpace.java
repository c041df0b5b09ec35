package org.insight.vmm.memory;

import static org.insight.vmm.memory.MachineLayout.PAGE_SIZE;
import static org.insight.vmm.memory.MachineLayout.USER_START;
import static org.insight.vmm.memory.MachineLayout.USER_TOP;
import static org.insight.vmm.memory.Mman.PROT_EXEC;
import static org.insight.vmm.memory.Mman.PROT_READ;
import static org.insight.vmm.memory.Mman.PROT_WRITE;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.linux.Errno;

/**
 * The guest's one address space: its VMAs, the page tables that implement them, and the frames behind them. It
 * plays the Linux memory manager: mmap, munmap, mprotect, brk and madvise with Linux's results and errno values,
 * demand paging, and the checked access to guest pointers that syscall handlers need.
 * <p>
 * Pages are populated on first touch (a #PF that the machine hands to {@link #handlePageFault}), or at once for
 * small mappings (see {@link AddressSpaceConfig#prefaultLimit()}). Whenever a translation disappears or loses a
 * permission, the frame is discarded or reprotected on the host so that KVM's shadow MMU forgets it (PLATFORM.md,
 * "stale translations"); {@link #invalidations()} counts those events.
 * <p>
 * Not thread-safe: it is used on the vCPU thread, while the vCPU is stopped.
 */
public final class AddressSpace {
	private static final int RWX = PROT_READ | PROT_WRITE | PROT_EXEC;

	/** Page fault error code bits (Intel SDM 4.7). */
	public static final long PF_PRESENT = 1, PF_WRITE = 2, PF_USER = 4, PF_RESERVED = 8, PF_FETCH = 16;

	private final GuestMemory memory;
	private final AddressSpaceConfig config;
	private final FrameAllocator frames;
	private final PageTables tables;
	private final VmaMap vmas = new VmaMap();
	private long brkStart = -1;
	private long brk = -1;
	private long demandFaults;
	private long spuriousFaults;
	private long vmmPopulated;
	private long prefaulted;
	private long invalidations;
	private final List<FramesLeaving> framesLeaving = new java.util.ArrayList<>();

	/** Who must hear that the frames under a range of pages are about to leave it. */
	public interface FramesLeaving {
		/**
		 * The frames of {@code [start, end)} are about to be freed (munmap, a MAP_FIXED mapping over them,
		 * MADV_DONTNEED) or moved to other addresses (mremap): whatever was written into them for their addresses (an
		 * int3 in code) must be taken out now, while they still hold it.
		 */
		void leaving(long start, long end);
	}

	/**
	 * An empty address space whose page tables live in {@code memory} (PML4 at {@link MachineLayout#PML4}), with
	 * the kernel area's pages identity-mapped, supervisor-only and mostly read-only ({@link MachineLayout#KERNEL_RANGES})
	 * unless {@link AddressSpaceConfig#kernelAreaUserMapped()}. The upper levels are U=1 whatever the leaf says.
	 */
	public AddressSpace(GuestMemory memory, AddressSpaceConfig config) {
		this.memory = memory;
		this.config = config;
		this.frames = new FrameAllocator(memory, MachineLayout.FIRST_FREE_FRAME, config.memoryCap() / PAGE_SIZE);
		this.tables = new PageTables(memory, frames, MachineLayout.PML4);
		boolean userMapped = config.kernelAreaUserMapped();
		for (MachineLayout.KernelRange r : MachineLayout.KERNEL_RANGES) {
			long flags = PageTables.P | PageTables.A | PageTables.D | (userMapped || r.user() ? PageTables.U : 0)
					| (userMapped || r.writable() ? PageTables.W : 0);
			for (long va = r.start(); va < r.end(); va += PAGE_SIZE) {
				tables.setEntry(va, va | flags);
			}
		}
	}

	// ---------------------------------------------------------------- Linux memory syscalls

	/** Anonymous mmap (no fd): see {@link #mmap(long, long, int, int, int, long)}. */
	public long mmap(long addr, long length, int prot, int flags) {
		return mmap(addr, length, prot, flags, -1, 0);
	}

	/**
	 * mmap(2). Anonymous mappings only (private, or shared, which is the same thing without fork): a file mapping
	 * gets -EBADF for a negative fd and -ENODEV otherwise, as for a pipe or a tty. Returns the address or -errno.
	 * <p>
	 * Like Linux's default overcommit heuristic, a writable mapping without MAP_NORESERVE that is larger than the
	 * memory cap fails with ENOMEM; smaller ones always succeed, and pages are charged when they are touched.
	 */
	public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
		if ((offset & (PAGE_SIZE - 1)) != 0) {
			return -Errno.EINVAL;
		}
		if ((flags & Mman.MAP_ANONYMOUS) == 0) {
			return fd < 0 ? -Errno.EBADF : -Errno.ENODEV;
		}
		if (length == 0) {
			return -Errno.EINVAL;
		}
		int type = flags & Mman.MAP_TYPE;
		if (type != Mman.MAP_PRIVATE && type != Mman.MAP_SHARED && type != Mman.MAP_SHARED_VALIDATE) {
			return -Errno.EINVAL;
		}
		if ((flags & Mman.MAP_HUGETLB) != 0) {
			return -Errno.ENOMEM; // no huge pages are reserved, as on a default Linux
		}
		if (Long.compareUnsigned(length, USER_TOP) > 0) {
			return -Errno.ENOMEM;
		}
		long len = MachineLayout.pageUp(length);
		boolean noReplace = (flags & Mman.MAP_FIXED_NOREPLACE) != 0;
		boolean fixed = (flags & Mman.MAP_FIXED) != 0 || noReplace;
		if (fixed) {
			if ((addr & (PAGE_SIZE - 1)) != 0) {
				return -Errno.EINVAL;
			}
			if (Long.compareUnsigned(addr, USER_TOP - len) > 0) {
				return -Errno.ENOMEM;
			}
			if (addr < USER_START) {
				return -Errno.EPERM; // Linux: below vm.mmap_min_addr
			}
			if (noReplace && !vmas.isFree(addr, addr + len)) {
				return -Errno.EEXIST;
			}
		} else {
			addr = chooseAddress(addr, len);
			if (addr < 0) {
				return -Errno.ENOMEM;
			}
		}
		if ((prot & PROT_WRITE) != 0 && (flags & Mman.MAP_NORESERVE) == 0 && len > config.memoryCap()) {
			return -Errno.ENOMEM;
		}
		if (tooManyVmas(fixed ? splits(addr, addr + len) + 1 : 1)) {
			return -Errno.ENOMEM;
		}
		if (fixed) {
			unmap(addr, addr + len);
		}
		vmas.insert(new Vma(addr, addr + len, prot & RWX, Vma.Kind.ANONYMOUS));
		if ((flags & Mman.MAP_POPULATE) != 0 || len <= config.prefaultLimit()) {
			prefault(addr, addr + len);
		}
		return addr;
	}

	/** Tells {@code listener} of frames leaving their addresses ({@link FramesLeaving}), after those told before. */
	public void onFramesLeaving(FramesLeaving listener) {
		framesLeaving.add(java.util.Objects.requireNonNull(listener, "listener"));
	}

	private void framesLeaving(long start, long end) {
		for (FramesLeaving l : framesLeaving) {
			l.leaving(start, end);
		}
	}

	/** A usable hint, else the highest free range below MMAP_TOP, else any free range (Linux's fallback). */
	private long chooseAddress(long hint, long len) {
		if (hint != 0 && Long.compareUnsigned(hint, USER_TOP) < 0) {
			long h = Math.max(MachineLayout.pageUp(hint), USER_START);
			if (h <= USER_TOP - len && vmas.isFree(h, h + len)) {
				return h;
			}
		}
		long a = vmas.gapTopDown(len, USER_START, MachineLayout.MMAP_TOP);
		return a >= 0 ? a : vmas.gapBottomUp(len, USER_START, USER_TOP);
	}

	/** munmap(2): 0 or -errno. Unmapping a range with nothing in it succeeds. */
	public long munmap(long addr, long length) {
		if ((addr & (PAGE_SIZE - 1)) != 0 || Long.compareUnsigned(addr, USER_TOP) > 0
				|| Long.compareUnsigned(length, USER_TOP - addr) > 0 || length == 0) {
			return -Errno.EINVAL;
		}
		long end = addr + MachineLayout.pageUp(length);
		if (tooManyVmas(splits(addr, end) - 1)) {
			return -Errno.ENOMEM; // Linux too: a split beyond vm.max_map_count
		}
		unmap(addr, end);
		return 0;
	}

	/**
	 * mprotect(2): 0 or -errno. The whole range must be mapped (else ENOMEM, and nothing changes: Linux changes
	 * the part before the first hole, a difference no libc relies on).
	 */
	public long mprotect(long addr, long length, int prot) {
		if ((addr & (PAGE_SIZE - 1)) != 0) {
			return -Errno.EINVAL;
		}
		if (length == 0) {
			return 0;
		}
		if ((prot & (Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP)) != 0) {
			return -Errno.EINVAL; // no VMA here grows
		}
		if ((prot & ~(RWX | Mman.PROT_SEM)) != 0) {
			return -Errno.EINVAL;
		}
		if (Long.compareUnsigned(length, USER_TOP) > 0 || Long.compareUnsigned(addr, USER_TOP) >= 0) {
			return -Errno.ENOMEM;
		}
		long end = addr + MachineLayout.pageUp(length);
		if (end > USER_TOP || !covered(addr, end)) {
			return -Errno.ENOMEM;
		}
		if (tooManyVmas(splits(addr, end))) {
			return -Errno.ENOMEM;
		}
		int newProt = prot & RWX;
		for (Vma piece : vmas.remove(addr, end)) {
			if (piece.kind() == Vma.Kind.VMM) {
				// the VMM's own code (lock-call stubs) under a guest's mprotect: its users take it out, as at munmap
				framesLeaving(piece.start(), piece.end());
			}
			vmas.insert(new Vma(piece.start(), piece.end(), newProt, piece.kind()));
			tables.forEachEntry(piece.start(), piece.end(), (va, slot, entry) -> {
				long updated = leaf(entry & PageTables.ADDRESS, newProt);
				if (updated != entry) {
					memory.putLong(slot, updated);
					if (reduces(entry, updated)) {
						memory.reprotect(entry & PageTables.ADDRESS, PAGE_SIZE);
						invalidations++;
					}
				}
			});
		}
		return 0;
	}

	/**
	 * mremap(2): the mapping's new address, or -errno. The old range must lie in one mapping (else EFAULT). It
	 * shrinks in place, grows in place when the pages after it are free, and otherwise moves with MREMAP_MAYMOVE (to
	 * {@code newAddr} with MREMAP_FIXED, replacing what was there). A move takes the populated pages' frames along,
	 * copying nothing; the old translations are then flushed as for mprotect. MREMAP_DONTUNMAP leaves the old range
	 * mapped and empty (reading zero), as Linux does for private anonymous memory.
	 */
	public long mremap(long oldAddr, long oldSize, long newSize, int flags, long newAddr) {
		boolean mayMove = (flags & Mman.MREMAP_MAYMOVE) != 0;
		boolean fixed = (flags & Mman.MREMAP_FIXED) != 0;
		boolean dontUnmap = (flags & Mman.MREMAP_DONTUNMAP) != 0;
		if ((flags & ~(Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0
				|| (oldAddr & (PAGE_SIZE - 1)) != 0 || fixed && !mayMove
				|| dontUnmap && (!mayMove || oldSize != newSize)) {
			return -Errno.EINVAL;
		}
		if (Long.compareUnsigned(oldSize, USER_TOP) > 0 || Long.compareUnsigned(newSize, USER_TOP) > 0
				|| newSize == 0 || oldSize == 0) {
			return -Errno.EINVAL; // old size 0 duplicates a shared mapping in Linux; there is no sharing here
		}
		long oldLen = MachineLayout.pageUp(oldSize);
		long newLen = MachineLayout.pageUp(newSize);
		if (Long.compareUnsigned(oldAddr, USER_TOP) >= 0 || oldLen > USER_TOP - oldAddr) {
			return -Errno.EFAULT;
		}
		Vma v = vmas.find(oldAddr);
		if (v == null || v.end() < oldAddr + oldLen) {
			return -Errno.EFAULT;
		}
		if (fixed) {
			if ((newAddr & (PAGE_SIZE - 1)) != 0 || newAddr < USER_START || Long.compareUnsigned(newAddr, USER_TOP) >= 0
					|| newLen > USER_TOP - newAddr || newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) {
				return -Errno.EINVAL;
			}
			return moveMapping(v, oldAddr, oldLen, newAddr, newLen, true, dontUnmap);
		}
		if (newLen <= oldLen && !dontUnmap) {
			if (newLen < oldLen) {
				if (tooManyVmas(splits(oldAddr + newLen, oldAddr + oldLen) - 1)) {
					return -Errno.ENOMEM;
				}
				unmap(oldAddr + newLen, oldAddr + oldLen);
			}
			return oldAddr;
		}
		long growth = newLen - oldLen;
		if ((v.prot() & PROT_WRITE) != 0 && growth > config.memoryCap()) {
			return -Errno.ENOMEM;
		}
		if (!dontUnmap && oldAddr + oldLen == v.end() && newLen <= USER_TOP - oldAddr
				&& vmas.isFree(v.end(), oldAddr + newLen) && !tooManyVmas(1)) {
			vmas.insert(new Vma(v.end(), oldAddr + newLen, v.prot(), v.kind()));
			return oldAddr;
		}
		if (!mayMove) {
			return -Errno.ENOMEM;
		}
		long to = chooseAddress(0, newLen);
		return to < 0 ? -Errno.ENOMEM : moveMapping(v, oldAddr, oldLen, to, newLen, false, dontUnmap);
	}

	/** The move of mremap: the pages of {@code [from, from+oldLen)} to {@code to}, with their frames. */
	private long moveMapping(Vma v, long from, long oldLen, long to, long newLen, boolean replace, boolean keepOld) {
		long moved = Math.min(oldLen, newLen);
		// the new range's page tables, before anything changes: running out of frames must leave the guest as it was
		if (frames.available() < newLen / (512 * PAGE_SIZE) + 4
				|| tooManyVmas(1 + (keepOld ? 0 : splits(from, from + oldLen)) + (replace ? splits(to, to + newLen) : 0))) {
			return -Errno.ENOMEM;
		}
		if (replace) {
			unmap(to, to + newLen);
		}
		// moved, a piece of the heap, the stack or the image is plain anonymous memory: brk and the stack never see it
		vmas.insert(new Vma(to, to + newLen, v.prot(), Vma.Kind.ANONYMOUS));
		framesLeaving(from, from + moved);
		List<long[]> pages = new ArrayList<>();
		tables.forEachEntry(from, from + moved, (va, slot, entry) -> pages.add(new long[] { va, slot, entry }));
		for (long[] page : pages) {
			long frame = page[2] & PageTables.ADDRESS;
			memory.putLong(page[1], 0);
			tables.setEntry(to + (page[0] - from), leaf(frame, v.prot()));
			if (frame != 0) {
				memory.reprotect(frame, PAGE_SIZE); // the old translation must go; the contents stay
			}
		}
		if (!pages.isEmpty()) {
			invalidations++;
		}
		if (!keepOld) {
			unmap(from, from + oldLen);
		}
		return to;
	}

	/** brk(2): the new break, or the old one when the request is refused (Linux's convention). */
	public long brk(long requested) {
		if (brkStart < 0) {
			throw new IllegalStateException("brk before the loader set the start of the heap");
		}
		if (Long.compareUnsigned(requested, brkStart) < 0 || Long.compareUnsigned(requested, USER_TOP) > 0) {
			return brk;
		}
		long newTop = MachineLayout.pageUp(requested);
		long oldTop = MachineLayout.pageUp(brk);
		if (newTop < oldTop) {
			unmap(newTop, oldTop);
		} else if (newTop > oldTop) {
			// Linux keeps a guard page between the heap and the next mapping
			if (newTop - oldTop > config.memoryCap() || !vmas.isFree(oldTop, Math.min(newTop + PAGE_SIZE, USER_TOP))
					|| tooManyVmas(1)) {
				return brk;
			}
			vmas.insert(new Vma(oldTop, newTop, PROT_READ | PROT_WRITE, Vma.Kind.HEAP));
			if (newTop - oldTop <= config.prefaultLimit()) {
				prefault(oldTop, newTop);
			}
		}
		brk = requested;
		return brk;
	}

	/**
	 * madvise(2): 0 or -errno. MADV_DONTNEED drops the pages (they read as zero next time); the other valid advice
	 * values change nothing here, which Linux allows (MADV_FREE may keep the data). A hole in the range gives
	 * ENOMEM after the mapped parts are done, as in Linux.
	 */
	public long madvise(long addr, long length, int advice) {
		boolean valid = (advice >= Mman.MADV_NORMAL && advice <= Mman.MADV_DONTNEED)
				|| (advice >= Mman.MADV_FREE && advice <= Mman.MADV_POPULATE_WRITE);
		if (!valid || (addr & (PAGE_SIZE - 1)) != 0) {
			return -Errno.EINVAL;
		}
		if (advice == Mman.MADV_REMOVE) {
			return -Errno.EINVAL; // only for shared file mappings
		}
		long len = (length + PAGE_SIZE - 1) & -PAGE_SIZE;
		long end = addr + len;
		if ((length != 0 && len == 0) || Long.compareUnsigned(end, addr) < 0) {
			return -Errno.EINVAL;
		}
		if (end == addr) {
			return 0;
		}
		if (Long.compareUnsigned(addr, USER_TOP) >= 0 || Long.compareUnsigned(end, USER_TOP) > 0) {
			if (advice == Mman.MADV_DONTNEED && Long.compareUnsigned(addr, USER_TOP) < 0) {
				madvise(addr, USER_TOP - addr, advice);
			}
			return -Errno.ENOMEM;
		}
		if (advice == Mman.MADV_DONTNEED) {
			for (Vma v : vmas.overlapping(addr, end)) {
				release(Math.max(v.start(), addr), Math.min(v.end(), end));
			}
		}
		return covered(addr, end) ? 0 : -Errno.ENOMEM;
	}

	// ---------------------------------------------------------------- demand paging

	/**
	 * A #PF of the guest at {@code cr2} with the CPU's error code. Returns true when the access is allowed and the
	 * page is now present (populated, or it already was: a stale shadow translation that KVM has now refreshed),
	 * false for a real fault the guest must die of (SIGSEGV).
	 *
	 * @throws GuestOutOfMemoryException when the page needs a frame and the memory cap is used up
	 */
	public boolean handlePageFault(long cr2, long errorCode) {
		if ((errorCode & PF_RESERVED) != 0) {
			return false;
		}
		Vma v = cr2 >= USER_START && cr2 < USER_TOP ? vmas.find(cr2) : null;
		boolean write = (errorCode & PF_WRITE) != 0;
		boolean fetch = (errorCode & PF_FETCH) != 0;
		if (v == null || !allows(v.prot(), write, fetch)) {
			return false;
		}
		long page = MachineLayout.pageDown(cr2);
		long slot = tables.slot(page, true);
		long entry = memory.getLong(slot);
		long frame = entry & PageTables.ADDRESS;
		if ((entry & PageTables.P) != 0) {
			long expected = leaf(frame, v.prot());
			if (entry == expected) {
				spuriousFaults++;
			} else {
				memory.putLong(slot, expected); // never written otherwise; repairing beats faulting forever
			}
			return true;
		}
		memory.putLong(slot, leaf(frame != 0 ? frame : frames.allocate(), v.prot()));
		demandFaults++;
		return true;
	}

	private boolean allows(int prot, boolean write, boolean fetch) {
		if (write) {
			return (prot & PROT_WRITE) != 0;
		}
		if (fetch) {
			return (prot & PROT_EXEC) != 0 || (!config.noExecute() && prot != 0);
		}
		return prot != 0;
	}

	// ---------------------------------------------------------------- guest pointers

	/** Copies {@code len} guest bytes at {@code va} into {@code dst}. */
	public void copyIn(long va, byte[] dst, int off, int len) {
		java.util.Objects.checkFromIndexSize(off, len, dst.length);
		int done = 0;
		while (done < len) {
			long at = va + done;
			int chunk = (int) Math.min(len - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
			long frame = frameFor(at, false);
			if (frame < 0) {
				Arrays.fill(dst, off + done, off + done + chunk, (byte) 0);
			} else {
				memory.read(frame + (at & (PAGE_SIZE - 1)), dst, off + done, chunk);
			}
			done += chunk;
		}
	}

	/** {@code len} guest bytes at {@code va}. */
	public byte[] copyIn(long va, int len) {
		byte[] b = new byte[len];
		copyIn(va, b, 0, len);
		return b;
	}

	/**
	 * Copies {@code src} to guest {@code va}. Page by page, like Linux: a fault part-way leaves the earlier pages
	 * written.
	 */
	public void copyOut(long va, byte[] src, int off, int len) {
		java.util.Objects.checkFromIndexSize(off, len, src.length);
		int done = 0;
		while (done < len) {
			long at = va + done;
			int chunk = (int) Math.min(len - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
			memory.write(frameFor(at, true) + (at & (PAGE_SIZE - 1)), src, off + done, chunk);
			done += chunk;
		}
	}

	public void copyOut(long va, byte[] src) {
		copyOut(va, src, 0, src.length);
	}

	/**
	 * The NUL-terminated string at {@code va}, of at most {@code maxLength} bytes before the NUL (PATH_MAX 4096
	 * counts the NUL, so a path check passes 4095), decoded as UTF-8.
	 *
	 * @throws GuestStringTooLongException when no NUL comes within {@code maxLength + 1} bytes
	 */
	public String readCString(long va, int maxLength) {
		return new String(readCStringBytes(va, maxLength), StandardCharsets.UTF_8);
	}

	/** The bytes of the NUL-terminated string at {@code va}, without the NUL; see {@link #readCString}. */
	public byte[] readCStringBytes(long va, int maxLength) {
		byte[] out = new byte[Math.min(maxLength, 256)];
		int length = 0;
		byte[] page = new byte[(int) PAGE_SIZE];
		while (true) {
			long at = va + length;
			int chunk = (int) (PAGE_SIZE - (at & (PAGE_SIZE - 1)));
			long frame = frameFor(at, false);
			if (frame < 0) {
				return Arrays.copyOf(out, length); // an untouched page reads as zero: the string ends here
			}
			memory.read(frame + (at & (PAGE_SIZE - 1)), page, 0, chunk);
			for (int i = 0; i < chunk; i++) {
				if (page[i] == 0) {
					return Arrays.copyOf(out, length);
				}
				if (length == maxLength) {
					throw new GuestStringTooLongException(va, maxLength);
				}
				if (length == out.length) {
					out = Arrays.copyOf(out, Math.min(maxLength, out.length * 2));
				}
				out[length++] = page[i];
			}
		}
	}

	public int readU32(long va) {
		if ((va & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4) {
			long frame = frameFor(va, false);
			return frame < 0 ? 0 : memory.getInt(frame + (va & (PAGE_SIZE - 1)));
		}
		byte[] b = copyIn(va, 4);
		return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
	}

	public long readU64(long va) {
		if ((va & (PAGE_SIZE - 1)) <= PAGE_SIZE - 8) {
			long frame = frameFor(va, false);
			return frame < 0 ? 0 : memory.getLong(frame + (va & (PAGE_SIZE - 1)));
		}
		byte[] b = copyIn(va, 8);
		long v = 0;
		for (int i = 7; i >= 0; i--) {
			v = v << 8 | (b[i] & 0xff);
		}
		return v;
	}

	public void writeU32(long va, int value) {
		if ((va & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4) {
			memory.putInt(frameFor(va, true) + (va & (PAGE_SIZE - 1)), value);
			return;
		}
		copyOut(va, new byte[] { (byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24) });
	}

	public void writeU64(long va, long value) {
		if ((va & (PAGE_SIZE - 1)) <= PAGE_SIZE - 8) {
			memory.putLong(frameFor(va, true) + (va & (PAGE_SIZE - 1)), value);
			return;
		}
		byte[] b = new byte[8];
		for (int i = 0; i < 8; i++) {
			b[i] = (byte) (value >>> (8 * i));
		}
		copyOut(va, b);
	}

	/**
	 * The frame behind {@code va} for an access by the VMM on the guest's behalf, with the guest's permissions. A
	 * write populates the page; a read of a page never touched returns -1 (it reads as zero) without using a frame.
	 */
	/**
	 * The 8 bytes at {@code va} (8-aligned) as the guest's CPU would read them now, without faulting anything in: a
	 * present page's; a page not present yet reads as {@link #handlePageFault} would make it (its preloaded frame, or a
	 * new zeroed one). Empty where a read would fault (no mapping, PROT_NONE, not a user address). So the value is the
	 * same whether or not the page happens to be present, as it depends on guest state alone.
	 */
	public java.util.OptionalLong peekLong(long va) {
		if ((va & 7) != 0) {
			throw new IllegalArgumentException(String.format("0x%x is not 8-aligned", va));
		}
		if (va < USER_START || va >= USER_TOP) {
			return java.util.OptionalLong.empty();
		}
		Vma v = vmas.find(va);
		if (v == null || !allows(v.prot(), false, false)) {
			return java.util.OptionalLong.empty();
		}
		long slot = tables.slot(MachineLayout.pageDown(va), false);
		long entry = slot < 0 ? 0 : memory.getLong(slot);
		long frame = entry & PageTables.ADDRESS;
		if ((entry & PageTables.P) == 0 && frame == 0) {
			return java.util.OptionalLong.of(0);
		}
		return java.util.OptionalLong.of(memory.getLong(frame + (va & (PAGE_SIZE - 1))));
	}

	private long frameFor(long va, boolean write) {
		if (va < USER_START || va >= USER_TOP) {
			throw new GuestFault(va, write, "not a user address");
		}
		Vma v = vmas.find(va);
		if (v == null) {
			throw new GuestFault(va, write, "not mapped");
		}
		if (v.prot() == Mman.PROT_NONE) {
			throw new GuestFault(va, write, "mapped PROT_NONE");
		}
		if (write && (v.prot() & PROT_WRITE) == 0) {
			throw new GuestFault(va, write, "mapped read-only");
		}
		long page = MachineLayout.pageDown(va);
		long slot = tables.slot(page, write);
		long entry = slot < 0 ? 0 : memory.getLong(slot);
		if ((entry & PageTables.P) != 0) {
			return entry & PageTables.ADDRESS;
		}
		if (!write) {
			return -1;
		}
		long frame = frames.allocate();
		memory.putLong(slot, leaf(frame, v.prot()));
		vmmPopulated++;
		return frame;
	}

	// ---------------------------------------------------------------- for the loader and the machine

	/**
	 * Maps {@code [start, end)} (page aligned, user addresses) with {@code prot}, replacing whatever was there. Not
	 * a syscall: the loader and the machine use it, and a bad range is a programming error.
	 */
	public void map(long start, long end, int prot, Vma.Kind kind) {
		if ((start & (PAGE_SIZE - 1)) != 0 || (end & (PAGE_SIZE - 1)) != 0 || start < USER_START || end > USER_TOP
				|| end <= start) {
			throw new IllegalArgumentException(String.format("cannot map [0x%x, 0x%x): not a page-aligned user range",
					start, end));
		}
		unmap(start, end);
		vmas.insert(new Vma(start, end, prot & RWX, kind));
	}

	/** Gives every page of {@code [start, end)} a frame now; the range must be mapped. */
	public void populate(long start, long end) {
		for (long va = MachineLayout.pageDown(start); va < end; va += PAGE_SIZE) {
			Vma v = vmas.find(va);
			if (v == null) {
				throw new IllegalArgumentException(String.format("cannot populate 0x%x: not mapped", va));
			}
			long slot = tables.slot(va, true);
			long entry = memory.getLong(slot);
			if ((entry & PageTables.ADDRESS) == 0) {
				memory.putLong(slot, leaf(frames.allocate(), v.prot()));
			}
		}
	}

	/**
	 * Writes {@code src} at {@code va} whatever the mapping's protection, as the kernel does while it loads an
	 * executable into read-only pages. The range must be mapped; its pages are populated.
	 */
	public void loadBytes(long va, byte[] src, int off, int len) {
		java.util.Objects.checkFromIndexSize(off, len, src.length);
		if (len == 0) {
			return;
		}
		populate(va, va + len);
		int done = 0;
		while (done < len) {
			long at = va + done;
			int chunk = (int) Math.min(len - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
			long frame = tables.entry(MachineLayout.pageDown(at)) & PageTables.ADDRESS;
			memory.write(frame + (at & (PAGE_SIZE - 1)), src, off + done, chunk);
			done += chunk;
		}
	}

	/** Sets the start of the brk heap (page aligned, after the image); the break starts there. */
	public void initBrk(long start) {
		if ((start & (PAGE_SIZE - 1)) != 0 || start < USER_START || start >= USER_TOP) {
			throw new IllegalArgumentException(String.format("bad start of the heap 0x%x", start));
		}
		brkStart = start;
		brk = start;
	}

	/**
	 * Populates the pages of {@code [start, end)} now if the cap leaves room for them (and the page tables they
	 * need); otherwise leaves them to demand paging. A speed-up, never a failure: frames the guest may need later
	 * are not used up ahead of time.
	 */
	public void prefault(long start, long end) {
		long pages = (end - start) / PAGE_SIZE;
		// room for the pages and the page tables they may need
		if (frames.available() < pages + pages / 512 + 3) {
			return;
		}
		for (long va = start; va < end; va += PAGE_SIZE) {
			Vma v = vmas.find(va);
			if (v == null || v.prot() == Mman.PROT_NONE) {
				continue;
			}
			long slot = tables.slot(va, true);
			if (memory.getLong(slot) == 0) {
				memory.putLong(slot, leaf(frames.allocate(), v.prot()));
				prefaulted++;
			}
		}
	}

	// ---------------------------------------------------------------- internals

	/** Removes the VMAs of {@code [start, end)} and frees their pages. */
	private void unmap(long start, long end) {
		for (Vma piece : vmas.remove(start, end)) {
			release(piece.start(), piece.end());
		}
	}

	/** Clears the entries of {@code [start, end)} and frees their frames (discarding them on the host). */
	private void release(long start, long end) {
		framesLeaving(start, end);
		long[][] batch = { new long[64] };
		int[] count = { 0 };
		tables.forEachEntry(start, end, (va, slot, entry) -> {
			memory.putLong(slot, 0);
			long frame = entry & PageTables.ADDRESS;
			if (frame != 0) {
				if (count[0] == batch[0].length) {
					batch[0] = Arrays.copyOf(batch[0], count[0] * 2);
				}
				batch[0][count[0]++] = frame;
			}
		});
		if (count[0] > 0) {
			frames.free(batch[0], count[0]);
			invalidations++;
		}
	}

	/** How many VMAs an edit of {@code [start, end)} cuts in two at its ends (0, 1 or 2). */
	private int splits(long start, long end) {
		Vma first = vmas.find(start);
		Vma last = vmas.find(end - 1);
		return (first != null && first.start() < start ? 1 : 0) + (last != null && last.end() > end ? 1 : 0);
	}

	/** Whether {@code more} VMAs (at most; merging may make fewer) would pass the limit. */
	private boolean tooManyVmas(int more) {
		return more > 0 && vmas.size() + more > config.maxVmas();
	}

	private boolean covered(long start, long end) {
		long at = start;
		for (Vma v : vmas.overlapping(start, end)) {
			if (v.start() > at) {
				return false;
			}
			at = v.end();
		}
		return at >= end;
	}

	/** The leaf entry for a frame with a protection; PROT_NONE keeps the frame in a non-present entry. */
	private long leaf(long frame, int prot) {
		if ((prot & RWX) == 0) {
			return frame;
		}
		long e = frame | PageTables.P | PageTables.U | PageTables.A | PageTables.D;
		if ((prot & PROT_WRITE) != 0) {
			e |= PageTables.W;
		}
		if (config.noExecute() && (prot & PROT_EXEC) == 0) {
			e |= PageTables.NX;
		}
		return e;
	}

	private static boolean reduces(long before, long after) {
		if ((before & PageTables.P) == 0) {
			return false;
		}
		return (after & PageTables.P) == 0 || ((before & PageTables.W) != 0 && (after & PageTables.W) == 0)
				|| ((before & PageTables.NX) == 0 && (after & PageTables.NX) != 0);
	}

	// ---------------------------------------------------------------- queries

	public Optional<Vma> vmaAt(long va) {
		return Optional.ofNullable(vmas.find(va));
	}

	/**
	 * Whether {@code va} is guest code now: present, in a mapping with PROT_EXEC. The page tables cannot say (NX is
	 * off unless {@link AddressSpaceConfig#noExecute()}), the mapping can.
	 */
	public boolean isCode(long va) {
		Vma v = vmas.find(va);
		return v != null && (v.prot() & PROT_EXEC) != 0 && translate(va).present();
	}

	/** The VMAs in address order. */
	public List<Vma> vmas() {
		return vmas.all();
	}

	/** What the CPU sees at {@code va}. */
	public PageTables.Translation translate(long va) {
		return tables.translate(va, config.noExecute());
	}

	public long brk() {
		return brk;
	}

	/** The guest memory the guest may use, in bytes (its data and page tables). */
	public long memoryCapBytes() {
		return config.memoryCap();
	}

	/** Guest memory in use now (frames of data and page tables), and the most ever in use, in bytes. */
	public long usedBytes() {
		return frames.inUse() * PAGE_SIZE;
	}

	public long peakBytes() {
		return frames.peak() * PAGE_SIZE;
	}

	public long brkStart() {
		return brkStart;
	}

	public GuestMemory memory() {
		return memory;
	}

	public AddressSpaceConfig config() {
		return config;
	}

	public FrameAllocator frames() {
		return frames;
	}

	public PageTables pageTables() {
		return tables;
	}

	/** Pages populated by guest page faults. */
	public long demandFaults() {
		return demandFaults;
	}

	/** Faults on pages that were already present: KVM held a stale translation and has now refreshed it. */
	public long spuriousFaults() {
		return spuriousFaults;
	}

	/** Pages populated because the VMM wrote to them for the guest (syscall results). */
	public long vmmPopulated() {
		return vmmPopulated;
	}

	/** Pages populated ahead of use. */
	public long prefaulted() {
		return prefaulted;
	}

	/**
	 * Host discards and reprotects made so far: each removed or reduced a translation. A machine whose CPU caches
	 * guest translations itself (EPT, rather than this platform's shadow paging) must flush its TLB when this grows.
	 */
	public long invalidations() {
		return invalidations;
	}

	/**
	 * SHA-256 over the VMAs (range, protection, kind) and the contents of their populated pages, in address order:
	 * two runs that did the same have the same digest, wherever their frames happened to be.
	 */
	public byte[] sha256() {
		MessageDigest digest = newSha256();
		forEachPopulatedPage(v -> digest.update(v.toString().getBytes(StandardCharsets.US_ASCII)), (va, page) -> {
			digest.update(Long.toHexString(va).getBytes(StandardCharsets.US_ASCII));
			digest.update(page);
		});
		return digest.digest();
	}

	/** One populated user page: its address, the VMA it belongs to and the SHA-256 of its contents. */
	public record PageDigest(long va, Vma vma, byte[] sha256) {
		public PageDigest {
			sha256 = sha256.clone();
		}

		@Override
		public byte[] sha256() {
			return sha256.clone();
		}

		/** {@code "4bb000 4b9000-4bc000 rw- image 1f3a..."}: one line of a page listing. */
		@Override
		public String toString() {
			return Long.toHexString(va) + " " + vma + " " + java.util.HexFormat.of().formatHex(sha256);
		}
	}

	/**
	 * The pages that {@link #sha256()} covers, each with its own SHA-256, in address order: when two runs' digests
	 * differ, comparing these says which pages differ.
	 */
	public List<PageDigest> pageDigests() {
		List<PageDigest> out = new java.util.ArrayList<>();
		Vma[] current = new Vma[1];
		forEachPopulatedPage(v -> current[0] = v, (va, page) -> out.add(new PageDigest(va, current[0],
				newSha256().digest(page))));
		return out;
	}

	/**
	 * Visits each of the guest's VMAs in address order (not the VMM's own, {@link Vma.Kind#VMM}) and, after it, each
	 * of its populated pages (address and a buffer holding the contents, reused from page to page).
	 */
	public void forEachPopulatedPage(java.util.function.Consumer<Vma> vmaVisitor,
			java.util.function.BiConsumer<Long, byte[]> pageVisitor) {
		byte[] page = new byte[(int) PAGE_SIZE];
		for (Vma v : vmas.all()) {
			if (v.kind() == Vma.Kind.VMM) {
				continue; // ours, not the guest's (lock-call stubs): a run and its replay may differ there
			}
			vmaVisitor.accept(v);
			tables.forEachEntry(v.start(), v.end(), (va, slot, entry) -> {
				long frame = entry & PageTables.ADDRESS;
				if (frame != 0) {
					memory.read(frame, page, 0, page.length);
					pageVisitor.accept(va, page);
				}
			});
		}
	}

	private static MessageDigest newSha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("the JDK lacks SHA-256", e);
		}
	}

	@Override
	public String toString() {
		return "AddressSpace[" + vmas.size() + " VMAs, " + frames.inUse() + " frames in use of " + frames.capFrames()
				+ ", brk 0x" + Long.toHexString(brk) + "]";
	}
}
