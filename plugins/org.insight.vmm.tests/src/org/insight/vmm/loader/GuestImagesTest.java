package org.insight.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.insight.symbols.ElfImage;
import org.insight.symbols.Symbol;
import org.insight.testsupport.GuestManifest;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.sched.LockFunction;
import org.insight.vmm.sched.LockFunctions;
import org.junit.jupiter.api.Test;

/**
 * The host's own libc.so.6 (Debian's: stripped, so its names are its .dynsym's), mapped as ld.so maps it: its lock
 * functions are found at the addresses {@code nm -D} gives plus the load base, every symbol version included, and an
 * address in it is described by name.
 */
class GuestImagesTest {
	private static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
	private static final long BASE = 0x7f12_3450_0000L;

	@Test
	void aMappedLibraryIsNamedAndItsLockFunctionsAreThoseOfNm() throws Exception {
		assumeTrue(Files.isRegularFile(LIBC), "no glibc libc.so.6 on this host");
		byte[] bytes = Files.readAllBytes(LIBC);
		GuestImages images;
		long main;
		try (LoaderFixture f = new LoaderFixture()) {
			LoadedImage program = ElfLoader.load(ElfImage.read(GuestManifest.binary("glibc", "lockorder")), f.space);
			images = GuestImages.of(program, "/lockorder");
			main = program.symbols().byName("main").orElseThrow().address();
		}
		List<GuestImages.Image> heard = new ArrayList<>();
		images.onLibrary(heard::add);

		// ld.so's first mapping: offset 0, the whole span of the PT_LOAD segments (libc's first one is at 0)
		long span = MachineLayout.pageUp(ElfImage.library(LIBC, bytes).loadSegments().stream()
				.mapToLong(s -> s.vaddr() + s.memSize()).max().orElseThrow());
		String path = LIBC.toString();
		assertNull(images.fileMapped(path, bytes, BASE + 0x26000, 0x1000, 0x26000), "a later segment names nothing");
		assertNull(images.fileMapped(path, bytes, BASE, 0x1000, 0), "a part of the file (a header read) names nothing");
		GuestImages.Image libc = images.fileMapped(path, bytes, BASE, span, 0);
		assertNotNull(libc);
		assertEquals(BASE, libc.bias());
		assertEquals(List.of(libc), heard);
		assertNull(images.fileMapped(path, bytes, BASE, span, 0), "the same library again is known already");
		assertNull(images.fileMapped(path, bytes, BASE + 0x1000, span - 0x1000, 0), "inside a known image");
		GuestImages.Image again = images.fileMapped(path, bytes, BASE + 0x1000_0000L, span, 0);
		assertNotNull(again, "loaded again elsewhere (after a dlclose), it is another image");
		assertTrue(again.elf() == libc.elf(), "of the same file, parsed once");
		for (int i = 2; i < GuestImages.MAX_PER_FILE; i++) {
			assertNotNull(images.fileMapped(path, bytes, BASE + (i + 1) * 0x1000_0000L, span, 0));
		}
		assertNull(images.fileMapped(path, bytes, BASE + 0x7000_0000L, span, 0), "at most MAX_PER_FILE images of one");
		assertNull(images.fileMapped("/data", "ELF? no, a data file".getBytes(StandardCharsets.US_ASCII), BASE << 1,
				0x1000, 0));

		TreeMap<Long, Set<String>> nm = nmDynamic(LIBC);
		LockFunctions found = LockFunctions.find(libc.symbols());
		List<String> names = found.all().stream().map(LockFunction::name).toList();
		for (String name : List.of("pthread_mutex_lock", "pthread_mutex_unlock", "pthread_mutex_trylock",
				"pthread_cond_wait", "pthread_rwlock_rdlock", "sem_wait", "sem_post", "pthread_spin_lock")) {
			assertTrue(names.contains(name), name + " in " + names);
		}
		for (LockFunction f : found.all()) {
			assertTrue(nm.getOrDefault(f.address() - BASE, Set.of()).contains(f.name()),
					String.format("%s at 0x%x: nm -D has %s there", f.name(), f.address(), nm.get(f.address() - BASE)));
		}
		long versions = found.all().stream().filter(f -> f.name().equals("pthread_cond_wait")).count();
		assertEquals(nm.values().stream().filter(n -> n.contains("pthread_cond_wait")).count(), versions,
				"pthread_cond_wait is hooked at each of its versions");

		LockFunction lock = found.all().stream().filter(f -> f.name().equals("pthread_mutex_lock")).findFirst()
				.orElseThrow();
		assertEquals("pthread_mutex_lock+0x10", images.describe(lock.address() + 0x10));
		assertTrue(images.isCode(lock.address()));
		assertFalse(images.isCode(BASE - MachineLayout.PAGE_SIZE));
		assertEquals("main", images.symbols().lookup(main).map(Symbol::name).orElse(null),
				"the program's names are still there");
	}

	/** `nm -D --defined-only` of a library: address to names (versions stripped), functions only. */
	private static TreeMap<Long, Set<String>> nmDynamic(Path library) throws IOException, InterruptedException {
		Process p = new ProcessBuilder("nm", "-D", "--defined-only", library.toString()).redirectErrorStream(true)
				.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
		TreeMap<Long, Set<String>> all = new TreeMap<>();
		for (String line : out.split("\n")) {
			String[] f = line.trim().split("\\s+");
			if (f.length == 3 && (f[1].equals("T") || f[1].equals("t"))) {
				String name = f[2].replaceAll("@.*", "");
				all.computeIfAbsent(Long.parseUnsignedLong(f[0], 16), a -> new TreeSet<>()).add(name);
			}
		}
		return all;
	}
}
