package org.insight.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the launch tab and the shortcut need to know about a program before anything starts: is it an ELF image the
 * engine can run (64-bit, little-endian, x86-64, executable; statically linked, or dynamically linked with an
 * interpreter this host has, since the engine provides the interpreter and the libraries from this host). The engine
 * checks it again, fully.
 */
public final class ElfCheck {
	/** The verdict; {@link #OK} (static) and {@link #DYNAMIC} are the runnable ones. */
	public enum Verdict {
		OK, MISSING, NOT_ELF, NOT_X86_64, NOT_EXECUTABLE, DYNAMIC, NO_INTERPRETER
	}

	/** The longest PT_INTERP path read (Linux's PATH_MAX). */
	private static final int MAX_INTERPRETER = 4096;

	private static final int PT_INTERP = 3;

	private ElfCheck() {
	}

	/** True when the file starts with the ELF magic (any ELF: the shortcut's test). */
	public static boolean isElf(Path file) {
		if (!Files.isRegularFile(file)) {
			return false;
		}
		try (InputStream in = Files.newInputStream(file)) {
			byte[] magic = in.readNBytes(4);
			return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
		} catch (IOException e) {
			return false;
		}
	}

	/** Whether the interpreter that the PT_INTERP header at {@code at} names is a file on this host. */
	private static boolean interpreterHere(FileChannel ch, long at) throws IOException {
		ByteBuffer ph = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
		if (ch.read(ph, at) != 56) {
			return false;
		}
		long offset = ph.getLong(8);
		long size = ph.getLong(32);
		if (offset < 0 || size < 2 || size > MAX_INTERPRETER) {
			return false;
		}
		ByteBuffer name = ByteBuffer.allocate((int) size);
		ch.read(name, offset);
		String path = new String(name.array(), 0, name.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
		int nul = path.indexOf('\0');
		path = nul >= 0 ? path.substring(0, nul) : path;
		return path.startsWith("/") && Files.isRegularFile(Path.of(path));
	}

	public static Verdict check(Path file) {
		if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
			return Verdict.MISSING;
		}
		if (!isElf(file)) {
			return Verdict.NOT_ELF;
		}
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
			ch.read(h, 0);
			// ELFCLASS64, ELFDATA2LSB, EM_X86_64
			if (h.get(4) != 2 || h.get(5) != 1 || h.getShort(18) != 62) {
				return Verdict.NOT_X86_64;
			}
			int type = h.getShort(16);
			if (type != 2 && type != 3) { // ET_EXEC or ET_DYN (static-pie)
				return Verdict.NOT_EXECUTABLE;
			}
			long phoff = h.getLong(32);
			int phentsize = Short.toUnsignedInt(h.getShort(54));
			int phnum = Short.toUnsignedInt(h.getShort(56));
			ByteBuffer ph = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
			for (int i = 0; i < phnum && phentsize >= 4; i++) {
				ph.clear();
				if (ch.read(ph, phoff + (long) i * phentsize) == 4 && ph.getInt(0) == PT_INTERP) {
					return interpreterHere(ch, phoff + (long) i * phentsize) ? Verdict.DYNAMIC : Verdict.NO_INTERPRETER;
				}
			}
			return Verdict.OK;
		} catch (IOException e) {
			return Verdict.NOT_ELF;
		}
	}
}
