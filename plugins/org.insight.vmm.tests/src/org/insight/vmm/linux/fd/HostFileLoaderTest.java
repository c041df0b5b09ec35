package org.insight.vmm.linux.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFileLoaderTest {
	@TempDir
	Path tmp;

	@Test
	void aDirectoryIsProvidedRecursivelyAtItsAbsolutePathWithItsMtimes() throws IOException {
		Path dir = Files.createDirectories(tmp.resolve("set/sub"));
		Files.writeString(tmp.resolve("set/a.txt"), "alpha");
		Files.writeString(dir.resolve("b.txt"), "bravo");
		Files.setLastModifiedTime(tmp.resolve("set/a.txt"), FileTime.fromMillis(1_234_567_000L));
		Files.createDirectories(tmp.resolve("set/empty"));
		ProvidedFiles f = HostFileLoader.load(List.of(), List.of(tmp.resolve("set/../set")), 1000);
		String root = tmp.toAbsolutePath().normalize() + "/set";
		ProvidedFiles.Regular a = assertInstanceOf(ProvidedFiles.Regular.class, f.lookup(root + "/a.txt"));
		assertEquals("alpha", new String(a.content()));
		assertEquals(1_234_567, a.mtimeSeconds());
		assertInstanceOf(ProvidedFiles.Regular.class, f.lookup(root + "/sub/b.txt"));
		ProvidedFiles.Directory d = assertInstanceOf(ProvidedFiles.Directory.class, f.lookup(root));
		assertEquals(List.of("a.txt", "empty", "sub"), d.names());
		assertInstanceOf(ProvidedFiles.Directory.class, f.lookup("/"), "every ancestor is a directory");
	}

	@Test
	void symlinksEscapingTheDirectoryAreNotFollowed() throws IOException {
		Files.writeString(tmp.resolve("secret"), "no");
		Path dir = Files.createDirectories(tmp.resolve("d"));
		Files.writeString(dir.resolve("in.txt"), "yes");
		Files.createSymbolicLink(dir.resolve("out"), tmp.resolve("secret"));
		Files.createSymbolicLink(dir.resolve("alias"), dir.resolve("in.txt"));
		ProvidedFiles f = HostFileLoader.load(List.of(), List.of(dir), 1000);
		String root = dir.toAbsolutePath().normalize().toString();
		assertNull(f.lookup(root + "/out"));
		assertEquals("yes", new String(((ProvidedFiles.Regular) f.lookup(root + "/alias")).content()));
	}

	@Test
	void theSizeLimitIsCheckedBeforeReadingAndNamesTheFile() throws IOException {
		Path a = Files.write(tmp.resolve("a"), new byte[600]);
		Path b = Files.write(tmp.resolve("b"), new byte[600]);
		HostFileLoader.ProvideException e = assertThrows(HostFileLoader.ProvideException.class,
				() -> HostFileLoader.load(List.of(a, b), List.of(), 1000));
		assertTrue(e.getMessage().startsWith(b + ": the provided files pass the limit of 1000 bytes"), e.getMessage());
		assertThrows(HostFileLoader.ProvideException.class,
				() -> HostFileLoader.load(List.of(tmp.resolve("missing")), List.of(), 1000));
		assertEquals(1, HostFileLoader.load(List.of(a, a), List.of(), 1000).entries().size(),
				"a file given twice is provided (and counted) once");
	}
}
