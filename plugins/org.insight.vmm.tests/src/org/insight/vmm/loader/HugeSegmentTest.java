package org.insight.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.insight.symbols.ElfImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PT_LOAD segment of any size is checked against the memory cap before the loader allocates anything for it (it
 * once made one map entry per page first): refused at once, with a message.
 */
class HugeSegmentTest {
	@TempDir
	Path dir;

	@Test
	void aSegmentLargerThanTheCapIsRefusedAtOnce() throws Exception {
		Path elf = LoaderFixture.compile(dir, "gcc", "hello", "-static");
		byte[] bytes = Files.readAllBytes(elf);
		ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		long phoff = b.getLong(32);
		int phnum = b.getShort(56);
		int last = -1;
		for (int i = 0; i < phnum; i++) {
			if (b.getInt((int) phoff + i * 56) == 1) {
				last = (int) phoff + i * 56;
			}
		}
		b.putLong(last + 40, 1L << 40); // p_memsz of the last PT_LOAD (data and bss): 1 TiB
		Path huge = Files.write(dir.resolve("huge"), bytes);
		ElfImage image = ElfImage.read(huge);
		try (LoaderFixture f = new LoaderFixture(64L << 20)) {
			ImageLoadException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
					() -> assertThrows(ImageLoadException.class, () -> ElfLoader.load(image, f.space)));
			assertTrue(e.getMessage().startsWith("cannot load " + huge + ": the memory cap is too small for the image:"
					+ " segment 0x"), e.getMessage());
			assertTrue(e.getMessage().endsWith(" MiB, the cap is 64 MiB"), e.getMessage());
			assertTrue(f.space.vmas().isEmpty(), "nothing was mapped");
		}
	}

	@Test
	void fileBytesBeyondTheCapAreRefusedBeforeMapping() throws Exception {
		Path elf = LoaderFixture.compile(dir, "gcc", "hello", "-static");
		ElfImage image = ElfImage.read(elf);
		// every segment fits the cap alone, but the file bytes of all of them do not
		long largest = image.loadSegments().stream().mapToLong(s -> s.memSize()).max().orElseThrow();
		try (LoaderFixture f = new LoaderFixture((largest + 4095) & -4096L)) {
			ImageLoadException e = assertThrows(ImageLoadException.class, () -> ElfLoader.load(image, f.space));
			assertTrue(e.getMessage().contains("the memory cap is too small for the image: its file bytes need"),
					e.getMessage());
			assertTrue(f.space.vmas().isEmpty(), "nothing was mapped");
		}
	}

	/**
	 * Program headers changed at random (addresses, sizes, offsets, flags of the PT_LOADs, near their values and far
	 * off): every file the ELF reader accepts either loads or is refused with an {@link ImageLoadException}, quickly
	 * and within a small cap.
	 */
	@Test
	void randomProgramHeadersLoadOrAreRefusedWithAMessage() throws Exception {
		Path elf = LoaderFixture.compile(dir, "musl-gcc", "small", "-static");
		byte[] original = Files.readAllBytes(elf);
		ByteBuffer o = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
		long phoff = o.getLong(32);
		int phnum = o.getShort(56);
		java.util.Random r = new java.util.Random(7);
		Path mutant = dir.resolve("mutant");
		int accepted = 0;
		try (LoaderFixture f = new LoaderFixture(8L << 20)) {
			for (int i = 0; i < 400; i++) {
				byte[] bytes = original.clone();
				ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
				for (int k = 1 + r.nextInt(2); k > 0; k--) {
					int at = (int) phoff + r.nextInt(phnum) * 56;
					int field = new int[] { 4, 8, 16, 32, 40 }[r.nextInt(5)];
					long v = field == 4 ? b.getInt(at + 4) ^ (1 << r.nextInt(3)) : switch (r.nextInt(4)) {
					case 0 -> b.getLong(at + field) + (r.nextInt(64) - 32) * 4096L;
					case 1 -> b.getLong(at + field) << (1 + r.nextInt(20));
					case 2 -> r.nextLong() >>> r.nextInt(64);
					default -> 1L << r.nextInt(47);
					};
					if (field == 4) {
						b.putInt(at + 4, (int) v);
					} else {
						b.putLong(at + field, v);
					}
				}
				Files.write(mutant, bytes);
				ElfImage image;
				try {
					image = ElfImage.read(mutant);
				} catch (org.insight.symbols.ElfFormatException refused) {
					continue;
				}
				accepted++;
				try (LoaderFixture g = new LoaderFixture(8L << 20)) {
					assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
						try {
							ElfLoader.load(image, g.space);
						} catch (ImageLoadException refused) {
							assertTrue(refused.getMessage().startsWith("cannot load " + mutant + ": "));
						}
					}, "mutant " + i);
				}
			}
		}
		assertTrue(accepted > 20, accepted + " mutants passed the ELF reader");
	}
}
