package org.insight.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.PageTables;
import org.insight.vmm.memory.Vma;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfLoaderTest {
	@TempDir
	static Path dir;
	static Path glibc;
	static Path musl;
	static Path glibcPie;

	@BeforeAll
	static void compile() throws Exception {
		glibc = LoaderFixture.compile(dir, "gcc", "hello-glibc", "-static");
		musl = LoaderFixture.compile(dir, "musl-gcc", "hello-musl", "-static");
		glibcPie = LoaderFixture.compile(dir, "gcc", "hello-glibc-pie", "-static-pie");
	}

	/** Every PT_LOAD's file bytes are in guest memory at its address, and the rest of it (bss) is zero. */
	private static void assertImageInMemory(Path file, ElfImage image, LoadedImage loaded, AddressSpace space)
			throws Exception {
		byte[] bytes = Files.readAllBytes(file);
		boolean bssHidesFileBytes = false;
		for (LoadSegment s : image.loadSegments()) {
			long at = s.vaddr() + loaded.bias();
			byte[] expected = Arrays.copyOfRange(bytes, (int) s.fileOffset(), (int) (s.fileOffset() + s.fileSize()));
			assertArrayEquals(expected, space.copyIn(at, (int) s.fileSize()), s.toString());
			int bss = (int) (s.memSize() - s.fileSize());
			assertArrayEquals(new byte[bss], space.copyIn(at + s.fileSize(), bss), "bss of " + s);
			int after = (int) Math.min(bss, bytes.length - (s.fileOffset() + s.fileSize()));
			for (int i = 0; i < after; i++) {
				bssHidesFileBytes |= bytes[(int) (s.fileOffset() + s.fileSize()) + i] != 0;
			}
			int prot = (s.readable() ? Mman.PROT_READ : 0) | (s.writable() ? Mman.PROT_WRITE : 0)
					| (s.executable() ? Mman.PROT_EXEC : 0);
			Vma vma = space.vmaAt(at).orElseThrow();
			assertEquals(Vma.Kind.IMAGE, vma.kind());
			assertEquals(prot, vma.prot() & prot, "the segment's permissions at " + Long.toHexString(at));
		}
		assertTrue(bssHidesFileBytes, "the file has non-zero bytes where bss is: the zero check above could fail");
	}

	private static long fileOffsetOf(ElfImage image, long vaddr) {
		for (LoadSegment s : image.loadSegments()) {
			if (vaddr >= s.vaddr() && vaddr < s.vaddr() + s.fileSize()) {
				return s.fileOffset() + (vaddr - s.vaddr());
			}
		}
		throw new AssertionError("no file bytes at " + Long.toHexString(vaddr));
	}

	private void loadsStatic(Path file) throws Exception {
		try (LoaderFixture f = new LoaderFixture()) {
			ElfImage image = ElfImage.read(file);
			LoadedImage loaded = ElfLoader.load(image, f.space);
			assertEquals(0, loaded.bias());
			assertEquals(LoaderFixture.readelfEntry(file), loaded.entry());
			byte[] bytes = Files.readAllBytes(file);
			long entryOffset = fileOffsetOf(image, loaded.entry());
			assertArrayEquals(Arrays.copyOfRange(bytes, (int) entryOffset, (int) entryOffset + 32),
					f.space.copyIn(loaded.entry(), 32), "the bytes at e_entry");
			PageTables.Translation t = f.space.translate(loaded.entry());
			assertTrue(t.present() && t.user() && !t.writable(), t.toString());
			assertEquals(Mman.PROT_READ | Mman.PROT_EXEC, f.space.vmaAt(loaded.entry()).orElseThrow().prot());
			assertImageInMemory(file, image, loaded, f.space);
			assertArrayEquals(Arrays.copyOfRange(bytes, 64, 64 + 56 * loaded.phnum()),
					f.space.copyIn(loaded.phdr(), 56 * loaded.phnum()), "AT_PHDR points at the program headers");
			LoadSegment last = image.loadSegments().get(image.loadSegments().size() - 1);
			assertEquals(MachineLayout.pageUp(last.end()), loaded.brkStart());
			assertEquals(loaded.brkStart(), f.space.brk(0));
			assertEquals(LoaderFixture.nm(file, "main"), loaded.symbols().byName("main").orElseThrow().address());
			// the 100000-byte bss array: untouched pages stay unpopulated until the guest touches them
			long big = LoaderFixture.nm(file, "big");
			long untouched = MachineLayout.pageUp(big) + 4 * 4096;
			assertFalse(f.space.translate(untouched).present());
			assertTrue(f.space.handlePageFault(untouched, AddressSpace.PF_WRITE | AddressSpace.PF_USER));
			assertTrue(f.space.translate(untouched).writable());
		}
	}

	@Test
	void glibcStatic() throws Exception {
		loadsStatic(glibc);
	}

	@Test
	void muslStatic() throws Exception {
		loadsStatic(musl);
	}

	@Test
	void staticPieAtTheDefaultBias() throws Exception {
		try (LoaderFixture f = new LoaderFixture()) {
			ElfImage image = ElfImage.read(glibcPie);
			LoadedImage loaded = ElfLoader.load(image, f.space);
			long bias = MachineLayout.PIE_BIAS;
			assertEquals(0x5555_5555_4000L, bias);
			assertEquals(bias, loaded.bias());
			assertEquals(LoaderFixture.readelfEntry(glibcPie) + bias, loaded.entry());
			byte[] bytes = Files.readAllBytes(glibcPie);
			long entryOffset = fileOffsetOf(image, image.entry());
			assertArrayEquals(Arrays.copyOfRange(bytes, (int) entryOffset, (int) entryOffset + 32),
					f.space.copyIn(loaded.entry(), 32));
			assertImageInMemory(glibcPie, image, loaded, f.space);
			assertEquals(bias, f.space.vmas().get(0).start());
			assertEquals(image.phdrVaddr() + bias, loaded.phdr());
			long main = LoaderFixture.nm(glibcPie, "main");
			assertEquals("main+0x5", loaded.symbols().describe(bias + main + 5));
		}
	}

	@Test
	void staticPieAtAChosenBias() throws Exception {
		try (LoaderFixture f = new LoaderFixture()) {
			ElfImage image = ElfImage.read(glibcPie);
			LoadedImage loaded = ElfLoader.load(image, f.space, 0x4000_0000L);
			assertEquals(image.entry() + 0x4000_0000L, loaded.entry());
			assertImageInMemory(glibcPie, image, loaded, f.space);
			assertThrows(IllegalArgumentException.class, () -> ElfLoader.load(image, f.space, 0x4000_0010L));
		}
	}

	@Test
	void pageSharedByTwoSegmentsGetsTheUnionAndBssIsZero() throws Exception {
		byte[] elf = LoaderFixture.tinyElf(0x4000b0, 0x200, new LoaderFixture.Seg(0, 0x400000, 0x100, 0x100, 5),
				new LoaderFixture.Seg(0x100, 0x400100, 0x20, 0x1000, 6));
		elf[0xb0] = (byte) 0xf4;
		Path file = dir.resolve("tiny");
		Files.write(file, elf);
		try (LoaderFixture f = new LoaderFixture()) {
			LoadedImage loaded = ElfLoader.load(ElfImage.read(file), f.space);
			assertEquals(List.of(new Vma(0x400000, 0x401000, Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC, Vma.Kind.IMAGE),
					new Vma(0x401000, 0x402000, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.IMAGE)), f.space.vmas());
			assertEquals(0x4000b0, loaded.entry());
			assertEquals((byte) 0xf4, f.space.copyIn(0x4000b0, 1)[0]);
			assertArrayEquals(Arrays.copyOfRange(elf, 0, 0x120), f.space.copyIn(0x400000, 0x120));
			assertArrayEquals(new byte[0x1000 - 0x20], f.space.copyIn(0x400120, 0x1000 - 0x20),
					"the file's 0xAA bytes after p_filesz are not loaded");
			assertEquals(0x402000, loaded.brkStart());
			assertEquals(0x400040, loaded.phdr());
		}
	}

	@Test
	void segmentInTheVmmsLowMemoryIsRefused() throws Exception {
		Path file = dir.resolve("low");
		Files.write(file, LoaderFixture.tinyElf(0x100b0, 0x100, new LoaderFixture.Seg(0, 0x10000, 0x100, 0x100, 5)));
		try (LoaderFixture f = new LoaderFixture()) {
			ImageLoadException e = assertThrows(ImageLoadException.class, () -> ElfLoader.load(ElfImage.read(file), f.space));
			assertEquals("cannot load " + file + ": segment 0x10000..0x10100 is outside the guest's user memory "
					+ "[0x200000, 0x7fffff7ff000) (below is the VMM's, above the stack)", e.getMessage());
			assertEquals(List.of(), f.space.vmas(), "nothing was mapped");
		}
	}

	@Test
	void memoryCapTooSmallForTheImage() throws Exception {
		try (LoaderFixture f = new LoaderFixture(64 * 1024)) {
			ImageLoadException e = assertThrows(ImageLoadException.class, () -> ElfLoader.load(ElfImage.read(glibc), f.space));
			// refused before anything is mapped, from the segment sizes alone
			assertTrue(e.getMessage().startsWith("cannot load " + glibc + ": the memory cap is too small for the image: "
					+ "segment 0x"), e.getMessage());
			assertTrue(e.getMessage().endsWith(", the cap is 64 KiB"), e.getMessage());
			assertTrue(f.space.vmas().isEmpty());
		}
	}
}
