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
}
