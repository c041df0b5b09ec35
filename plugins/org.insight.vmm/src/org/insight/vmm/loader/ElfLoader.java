package org.insight.vmm.loader;

import java.util.Map;
import java.util.TreeMap;

import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/**
 * Places a static executable's PT_LOAD segments in an address space, as Linux's binfmt_elf does for a program
 * without an interpreter: file bytes copied in, the rest of each segment (bss) zero, a page shared by two segments
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
		Map<Long, Integer> pageProt = new TreeMap<>();
		long imageEnd = 0;
		for (LoadSegment s : image.loadSegments()) {
			if (s.memSize() == 0) {
				continue;
			}
			long start = MachineLayout.pageDown(s.vaddr() + bias);
			long end = s.vaddr() + bias + s.memSize();
			if (start < MachineLayout.USER_START || Long.compareUnsigned(end, MachineLayout.STACK_TOP - MachineLayout.STACK_SIZE) > 0) {
				throw new ImageLoadException(image.file(), String.format(
						"segment 0x%x..0x%x is outside the guest's user memory [0x%x, 0x%x) (below is the VMM's, above the stack)",
						s.vaddr() + bias, end, MachineLayout.USER_START, MachineLayout.STACK_TOP - MachineLayout.STACK_SIZE),
						null);
			}
			int prot = (s.readable() ? Mman.PROT_READ : 0) | (s.writable() ? Mman.PROT_WRITE : 0)
					| (s.executable() ? Mman.PROT_EXEC : 0);
			for (long page = start; page < end; page += MachineLayout.PAGE_SIZE) {
				pageProt.merge(page, prot, (a, b) -> a | b);
			}
			imageEnd = Math.max(imageEnd, MachineLayout.pageUp(end));
		}
		mapRuns(space, pageProt);
		try {
			copySegments(image, space, bias);
		} catch (GuestOutOfMemoryException e) {
			throw new ImageLoadException(image.file(), "the memory cap is too small for the image: " + e.getMessage(), e);
		}
		space.initBrk(imageEnd);
		return new LoadedImage(image.entry() + bias, image.phdrVaddr() + bias, image.phnum(), bias, imageEnd, image,
				image.symbols().withBias(bias));
	}

	/** One VMA per run of adjacent pages with the same permissions. */
	private static void mapRuns(AddressSpace space, Map<Long, Integer> pageProt) {
		long runStart = -1;
		long runEnd = -1;
		int runProt = 0;
		for (Map.Entry<Long, Integer> e : pageProt.entrySet()) {
			if (e.getKey() == runEnd && e.getValue() == runProt) {
				runEnd += MachineLayout.PAGE_SIZE;
				continue;
			}
			if (runStart >= 0) {
				space.map(runStart, runEnd, runProt, Vma.Kind.IMAGE);
			}
			runStart = e.getKey();
			runEnd = runStart + MachineLayout.PAGE_SIZE;
			runProt = e.getValue();
		}
		if (runStart >= 0) {
			space.map(runStart, runEnd, runProt, Vma.Kind.IMAGE);
		}
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
