package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProvidedFileCallsTest {
	private static final byte[] DATA = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
	private final LinuxFixture f = new LinuxFixture();

	@BeforeEach
	void provide() {
		f.process.provide(ProvidedFiles.of(List.of(new ProvidedFiles.Entry("/data/set/a.txt", 1_700_000_000L, DATA),
				new ProvidedFiles.Entry("/data/set/b.bin", 1_600_000_000L, new byte[0]),
				new ProvidedFiles.Entry("/data/set/sub", 5, null))));
	}

	@AfterEach
	void close() {
		f.close();
	}

	private long open(String path, int flags) {
		return f.call(Syscalls.OPENAT, ProvidedFileCalls.AT_FDCWD, f.cString(path), flags);
	}

	@Test
	void normalizeResolvesDotsAndSlashesLexically() {
		assertEquals("/a/c", ProvidedFiles.normalize("/", "/a/./b/../c//"));
		assertEquals("/x/y", ProvidedFiles.normalize("/x", "y"));
		assertEquals("/", ProvidedFiles.normalize("/", "/../.."));
		assertNull(ProvidedFiles.normalize("/", ""));
		assertThrows(IllegalArgumentException.class, () -> new ProvidedFiles.Entry("data/x", 0, DATA));
		assertThrows(IllegalArgumentException.class, () -> ProvidedFiles.of(List.of(
				new ProvidedFiles.Entry("/a", 0, DATA), new ProvidedFiles.Entry("/a/b", 0, DATA))));
	}

	@Test
	void openReadsAndRefusesWhatIsNotProvided() {
		assertEquals(-Errno.ENOENT, open("/etc/passwd", 0));
		assertEquals(-ProvidedFileCalls.EROFS, open("/data/set/a.txt", OpenFile.O_WRONLY));
		assertEquals(-ProvidedFileCalls.EROFS, open("/data/set/a.txt", ProvidedFileCalls.O_TRUNC));
		assertEquals(-ProvidedFileCalls.ENOTDIR, open("/data/set/a.txt", ProvidedFileCalls.O_DIRECTORY));
		assertEquals(-ProvidedFileCalls.ENOTDIR, open("/data/set/a.txt/", 0));
		long fd = open("/data/./set/../set/a.txt", OpenFile.O_CLOEXEC);
		assertEquals(3, fd);
		assertEquals(true, f.process.fds().closeOnExec(fd));
		long buf = f.alloc(32);
		assertEquals(10, f.call(Syscalls.READ, fd, buf, 10));
		assertEquals("0123456789", f.string(buf, 10));
		assertEquals(6, f.call(Syscalls.READ, fd, buf, 32));
		assertEquals("abcdef", f.string(buf, 6));
		assertEquals(0, f.call(Syscalls.READ, fd, buf, 32), "end of file");
		assertEquals(3, f.call(Syscalls.PREAD64, fd, buf, 3, 13));
		assertEquals("def", f.string(buf, 3));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.PREAD64, fd, buf, 3, -1));
		assertEquals(-Errno.EBADF, f.call(Syscalls.WRITE, fd, buf, 1));
		long iov = f.u64s(buf, 2, buf + 8, 3);
		assertEquals(5, f.call(Syscalls.PREADV, fd, iov, 2, 4));
		assertEquals("45", f.string(buf, 2));
		assertEquals("678", f.string(buf + 8, 3));
		assertEquals(0, f.call(Syscalls.CLOSE, fd));
		assertEquals(-Errno.ESPIPE, f.call(Syscalls.PREAD64, 0, buf, 1, 0), "stdin has no positions");
	}

	@Test
	void lseekEdgeCases() {
		long fd = open("/data/set/a.txt", 0);
		assertEquals(16, f.call(Syscalls.LSEEK, fd, 0, ProvidedFileCalls.SEEK_END));
		assertEquals(100, f.call(Syscalls.LSEEK, fd, 84, ProvidedFileCalls.SEEK_CUR), "past the end is allowed");
		long buf = f.alloc(8);
		assertEquals(0, f.call(Syscalls.READ, fd, buf, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.LSEEK, fd, -101, ProvidedFileCalls.SEEK_CUR));
		assertEquals(100, f.call(Syscalls.LSEEK, fd, 0, ProvidedFileCalls.SEEK_CUR), "a refused seek moves nothing");
		assertEquals(5, f.call(Syscalls.LSEEK, fd, 5, ProvidedFileCalls.SEEK_DATA));
		assertEquals(16, f.call(Syscalls.LSEEK, fd, 5, ProvidedFileCalls.SEEK_HOLE));
		assertEquals(-ProvidedFileCalls.ENXIO, f.call(Syscalls.LSEEK, fd, 16, ProvidedFileCalls.SEEK_DATA));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.LSEEK, fd, 0, 9));
		assertEquals(-Errno.ESPIPE, f.call(Syscalls.LSEEK, 1, 0, 0));
	}

	@Test
	void statLayoutIsTheRecordedOne() {
		long fd = open("/data/set/a.txt", 0);
		long st = f.alloc(FileCalls.STAT_SIZE);
		assertEquals(0, f.call(Syscalls.FSTAT, fd, st));
		assertEquals(ProvidedFiles.DEVICE, f.space.readU64(st));
		long ino = f.space.readU64(st + 8);
		assertEquals(ProvidedFiles.FILE_MODE, f.space.readU32(st + 24));
		assertEquals(16, f.space.readU64(st + 48));
		assertEquals(1, f.space.readU64(st + 64), "one 512-byte block");
		assertEquals(1_700_000_000L, f.space.readU64(st + 88), "st_mtime");
		long st2 = f.alloc(FileCalls.STAT_SIZE);
		assertEquals(0, f.call(Syscalls.NEWFSTATAT, ProvidedFileCalls.AT_FDCWD, f.cString("/data/set/a.txt"), st2, 0));
		assertEquals(ino, f.space.readU64(st2 + 8));
		assertEquals(0, f.call(Syscalls.STAT, f.cString("/data"), st2));
		assertEquals(ProvidedFiles.DIR_MODE, f.space.readU32(st2 + 24));
		long stx = f.alloc(FileCalls.STATX_SIZE);
		assertEquals(0, f.call(Syscalls.STATX, ProvidedFileCalls.AT_FDCWD, f.cString("/data/set/a.txt"), 0, 0x7ff, stx));
		assertEquals(ino, f.space.readU64(stx + 32));
		assertEquals(16, f.space.readU64(stx + 40));
		assertEquals(-Errno.ENOENT, f.call(Syscalls.STAT, f.cString("/nope"), st2));
		assertEquals(0, f.call(Syscalls.ACCESS, f.cString("/data/set/a.txt"), 4));
		assertEquals(-ProvidedFileCalls.EROFS, f.call(Syscalls.ACCESS, f.cString("/data/set/a.txt"), 2));
		assertEquals(-Errno.ENOENT, f.call(Syscalls.ACCESS, f.cString("/x"), 0));
	}

	@Test
	void getdentsListsDotDotDotAndSortedNamesAcrossCalls() {
		long dir = open("/data/set", ProvidedFileCalls.O_DIRECTORY);
		assertEquals(-ProvidedFileCalls.EISDIR, f.call(Syscalls.READ, dir, f.alloc(8), 8));
		long rel = f.call(Syscalls.OPENAT, dir, f.cString("sub/../a.txt"), 0);
		assertEquals(4, rel, "relative to the directory descriptor");
		assertEquals(-ProvidedFileCalls.ENOTDIR, f.call(Syscalls.GETDENTS64, rel, f.alloc(64), 64));
		long buf = f.alloc(256);
		assertEquals(-Errno.EINVAL, f.call(Syscalls.GETDENTS64, dir, buf, 10), "not even one record fits");
		List<String> names = new ArrayList<>();
		long n;
		while ((n = f.call(Syscalls.GETDENTS64, dir, buf, 56)) > 0) {
			for (long at = buf; at < buf + n;) {
				int reclen = f.space.readU32(at + 16) & 0xffff;
				assertEquals(0, reclen % 8);
				int type = f.space.copyIn(at + 18, 1)[0];
				String name = f.string(at + 19, reclen - 19).replaceAll("\0.*", "");
				names.add(name + (type == ProvidedFileCalls.DT_DIR ? "/" : ""));
				at += reclen;
			}
		}
		assertEquals(0, n);
		assertEquals(List.of("./", "../", "a.txt", "b.bin", "sub/"), names);
		assertEquals(0, f.call(Syscalls.LSEEK, dir, 0, ProvidedFileCalls.SEEK_SET));
		// 19 header bytes + name + NUL, rounded up to 8: 24 (.), 24 (..), 32 (a.txt), 32 (b.bin), 24 (sub)
		assertEquals(24 + 24 + 32 + 32 + 24, f.call(Syscalls.GETDENTS64, dir, buf, 256), "rewound: all five again");
	}

	@Test
	void aPrivateMappingHoldsTheContentsAndItsWritesStayPrivate() {
		long fd = open("/data/set/a.txt", 0);
		long at = f.call(Syscalls.MMAP, 0, 8192, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE, fd, 0);
		assertEquals(0, at & 4095, "an address: " + at);
		assertEquals("0123456789abcdef", f.string(at, 16));
		assertEquals(0, f.space.copyIn(at + 16, 1)[0], "zeros after the end");
		f.space.copyOut(at, new byte[] { 'X' });
		long buf = f.alloc(4);
		assertEquals(1, f.call(Syscalls.PREAD64, fd, buf, 1, 0));
		assertEquals("0", f.string(buf, 1), "the file is unchanged");
		assertEquals(-FileMappings.EACCES, f.call(Syscalls.MMAP, 0, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
				Mman.MAP_SHARED, fd, 0));
		long shared = f.call(Syscalls.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_SHARED, fd, 0);
		assertEquals("0123", f.string(shared, 4), "a read-only shared mapping");
		assertThrows(GuestFault.class, () -> f.space.copyOut(shared, new byte[] { 1 }), "read-only as asked");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, fd, 100));
		long dir = open("/data/set", 0);
		assertEquals(-FileMappings.ENODEV, f.call(Syscalls.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, dir, 0));
		assertEquals(-Errno.EBADF, f.call(Syscalls.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, 99, 0));
	}
}
