package org.insight.vmm.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/**
 * Places an executable's PT_LOAD segments in an address space, as Linux's binfmt_elf does, and for a dynamically
 * linked program its interpreter's too (the libraries are the interpreter's business): file bytes copied in, the rest of each segment (bss) zero, a page shared by two segments
 * getting the union of their permissions. PT_TLS is left to libc, which finds it through AT_PHDR.
 * <p>
 * Pages holding file bytes are populated now; pure bss pages are populated on first touch, like any anonymous
 * memory.
 */
public final class ElfLoader {
	private static final int CHUNK = 64 * 1024;

	private ElfLoader() {
	}

	/** Loads a non-PIE executable at its addresses, a static-PIE at {@link MachineLayout#PIE_BIAS}. */
	public static LoadedImage load(ElfImage image, AddressSpace space) {
		return load(image, space, MachineLayout.PIE_BIAS);
	}

	/** Loads a static-PIE at {@code pieBias} (page aligned); a non-PIE executable ignores it. */
	public static LoadedImage load(ElfImage image, AddressSpace space, long pieBias) {
		if ((pieBias & (MachineLayout.PAGE_SIZE - 1)) != 0) {
			throw new IllegalArgumentException(String.format("load bias 0x%x is not page aligned", pieBias));
		}
		long bias = image.isPositionIndependent() ? pieBias : 0;
		long end = place(image, space, bias);
		space.initBrk(end);
		return new LoadedImage(image.entry() + bias, image.phdrVaddr() + bias, image.phnum(), bias, end, image,
				image.symbols().withBias(bias), 0, image.entry() + bias, Optional.empty());
	}

	/**
	 * Loads a dynamically linked program (a PIE at {@link MachineLayout#PIE_BIAS}) and its interpreter at
	 * {@link MachineLayout#INTERPRETER_BASE}, as binfmt_elf does: the first thread starts at the interpreter's entry,
	 * which finds the program through AT_PHDR and AT_ENTRY and loads its libraries itself. The brk heap follows the
	 * program.
	 */
	public static LoadedImage load(ElfImage program, ElfImage interpreter, AddressSpace space) {
		long bias = program.isPositionIndependent() ? MachineLayout.PIE_BIAS : 0;
		long base = interpreter.isPositionIndependent() ? MachineLayout.INTERPRETER_BASE : 0;
		long[] mine = span(program, bias);
		long[] its = span(interpreter, base);
		if (mine[0] < its[1] && its[0] < mine[1]) {
			throw new ImageLoadException(interpreter.file(), String.format(
					"the interpreter at 0x%x..0x%x would overlap the program at 0x%x..0x%x", its[0], its[1], mine[0],
					mine[1]), null);
		}
		LoadedImage loaded = load(program, space, MachineLayout.PIE_BIAS);
		place(interpreter, space, base);
		return new LoadedImage(loaded.entry(), loaded.phdr(), loaded.phnum(), bias, loaded.brkStart(), program,
				loaded.symbols(), base, interpreter.entry() + base, Optional.of(interpreter));
	}

	/** The page-rounded range the PT_LOAD segments cover at {@code bias}: {start, end}. */
	private static long[] span(ElfImage image, long bias) {
		long start = Long.MAX_VALUE;
		long end = 0;
		for (LoadSegment s : image.loadSegments()) {
			if (s.memSize() != 0) {
				start = Math.min(start, MachineLayout.pageDown(s.vaddr() + bias));
				end = Math.max(end, MachineLayout.pageUp(s.vaddr() + bias + s.memSize()));
			}
		}
		return new long[] { start, end };
	}

	/** Maps and fills the segments at {@code bias}; returns the end of the image, page-rounded. */
	private static long place(ElfImage image, AddressSpace space, long bias) {
		List<long[]> ranges = new ArrayList<>(); // {start, end, prot} per segment, page-rounded
		long imageEnd = 0;
		long filePages = 0;
		for (LoadSegment s : image.loadSegments()) {
			if (s.memSize() == 0) {
				continue;
			}
			long start = MachineLayout.pageDown(s.vaddr() + bias);
			long end = s.vaddr() + bias + s.memSize();
			if (start < MachineLayout.USER_START || Long.compareUnsigned(end, MachineLayout.STACK_TOP - MachineLayout.STACK_SIZE) > 0
					|| Long.compareUnsigned(end, start) < 0) {
				throw new ImageLoadException(image.file(), String.format(
						"segment 0x%x..0x%x is outside the guest's user memory [0x%x, 0x%x) (below is the VMM's, above the stack)",
						s.vaddr() + bias, end, MachineLayout.USER_START, MachineLayout.STACK_TOP - MachineLayout.STACK_SIZE),
						null);
			}
			// Checked before anything is allocated for the segment: a huge p_memsz costs nothing but this message.
			if (Long.compareUnsigned(s.memSize(), space.config().memoryCap()) > 0) {
				throw new ImageLoadException(image.file(), String.format(
						"the memory cap is too small for the image: segment 0x%x..0x%x needs %s, the cap is %s",
						s.vaddr() + bias, end, size(s.memSize()), size(space.config().memoryCap())), null);
			}
			int prot = (s.readable() ? Mman.PROT_READ : 0) | (s.writable() ? Mman.PROT_WRITE : 0)
					| (s.executable() ? Mman.PROT_EXEC : 0);
			ranges.add(new long[] { start, MachineLayout.pageUp(end), prot });
			filePages += (MachineLayout.pageUp(s.vaddr() + bias + s.fileSize()) - start) / MachineLayout.PAGE_SIZE;
			imageEnd = Math.max(imageEnd, MachineLayout.pageUp(end));
		}
		// The pages with file bytes are populated now: they (and a page table per 2 MiB) must fit in the cap.
		long available = space.frames().available();
		if (filePages + filePages / 512 + 4 > available) {
			throw new ImageLoadException(image.file(), String.format(
					"the memory cap is too small for the image: its file bytes need %d pages (%s), %d are free"
							+ " of the cap (%s)", filePages, size(filePages * MachineLayout.PAGE_SIZE), available,
					size(space.config().memoryCap())), null);
		}
		mapRuns(space, ranges);
		try {
			copySegments(image, space, bias);
		} catch (GuestOutOfMemoryException e) {
			throw new ImageLoadException(image.file(), "the memory cap is too small for the image: " + e.getMessage(), e);
		}
		return imageEnd;
	}

	/**
	 * One VMA per run of adjacent pages with the same permissions, a page shared by two segments getting the union of
	 * theirs. Works on the segments' boundaries, never page by page, so its cost does not grow with their size.
	 */
	private static void mapRuns(AddressSpace space, List<long[]> ranges) {
		TreeSet<Long> cuts = new TreeSet<>();
		for (long[] r : ranges) {
			cuts.add(r[0]);
			cuts.add(r[1]);
		}
		long runStart = -1;
		long runEnd = -1;
		int runProt = 0;
		Long from = cuts.isEmpty() ? null : cuts.first();
		while (from != null) {
			Long to = cuts.higher(from);
			if (to == null) {
				break;
			}
			int prot = 0;
			boolean covered = false;
			for (long[] r : ranges) {
				if (r[0] <= from && to <= r[1]) {
					prot |= (int) r[2];
					covered = true;
				}
			}
			if (covered && from == runEnd && prot == runProt) {
				runEnd = to;
			} else if (covered) {
				if (runStart >= 0) {
					space.map(runStart, runEnd, runProt, Vma.Kind.IMAGE);
				}
				runStart = from;
				runEnd = to;
				runProt = prot;
			}
			from = to;
		}
		if (runStart >= 0) {
			space.map(runStart, runEnd, runProt, Vma.Kind.IMAGE);
		}
	}

	/** "64 KiB", "3 MiB": a size for a message, rounded up. */
	private static String size(long bytes) {
		return bytes >= 1L << 20 ? Long.toUnsignedString((bytes + (1L << 20) - 1) >>> 20) + " MiB"
				: (bytes + 1023) / 1024 + " KiB";
	}

	private static void copySegments(ElfImage image, AddressSpace space, long bias) {
		byte[] chunk = new byte[CHUNK];
		for (LoadSegment s : image.loadSegments()) {
			for (long done = 0; done < s.fileSize(); ) {
				int n = (int) Math.min(CHUNK, s.fileSize() - done);
				image.copyBytes(s.fileOffset() + done, chunk, 0, n);
				space.loadBytes(s.vaddr() + bias + done, chunk, 0, n);
				done += n;
			}
		}
	}
}
