package org.insight.replay.trace;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.insight.vmm.linux.fd.ProvidedFiles;

/**
 * The header's provided-files field (TRACE-FORMAT.md, "Provided files"): each distinct content once, by SHA-256,
 * then the entries (path, kind, mtime, and for a regular file the index of its content). A reader checks every count
 * against what remains, every content against its hash, and every path for being normalized and absolute.
 */
final class ProvidedFilesCodec {
	static final int KIND_FILE = 0, KIND_DIRECTORY = 1;
	private static final int SHA256_BYTES = 32;

	private ProvidedFilesCodec() {
	}

	static void encode(ProvidedFiles files, FieldWriter w) {
		Map<String, Integer> index = new LinkedHashMap<>();
		List<byte[]> contents = new ArrayList<>();
		for (ProvidedFiles.Entry e : files.entries()) {
			if (!e.directory() && index.putIfAbsent(sha256Hex(e.content()), contents.size()) == null) {
				contents.add(e.content());
			}
		}
		w.varLong(contents.size());
		for (byte[] c : contents) {
			byte[] sha = sha256(c);
			w.raw(sha, 0, sha.length);
			w.bytes(c);
		}
		w.varLong(files.entries().size());
		for (ProvidedFiles.Entry e : files.entries()) {
			w.string(e.path());
			w.u8(e.directory() ? KIND_DIRECTORY : KIND_FILE);
			w.signed(e.mtimeSeconds());
			if (!e.directory()) {
				w.varLong(index.get(sha256Hex(e.content())));
			}
		}
	}

	static ProvidedFiles decode(FieldReader r) {
		int blobs = r.count(TraceFormat.MAX_STRINGS, "provided file contents count");
		List<byte[]> contents = new ArrayList<>();
		for (int i = 0; i < blobs; i++) {
			int at = r.position();
			byte[] sha = r.raw(SHA256_BYTES, "provided file SHA-256");
			byte[] c = r.bytes(TraceFormat.MAX_HEADER_BYTES, "provided file contents");
			if (!Arrays.equals(sha, sha256(c))) {
				throw new MalformedFieldException(at, "provided file contents " + i + " do not match their SHA-256");
			}
			contents.add(c);
		}
		int n = r.count(TraceFormat.MAX_STRINGS, "provided file count");
		List<ProvidedFiles.Entry> entries = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			int at = r.position();
			String path = r.string(ProvidedFiles.PATH_MAX, "provided file path");
			int kindAt = r.position();
			int kind = r.u8();
			long mtime = r.signed();
			byte[] content = null;
			if (kind == KIND_FILE) {
				content = contents.get(r.count(blobs - 1, "provided file contents index"));
			} else if (kind != KIND_DIRECTORY) {
				throw new MalformedFieldException(kindAt, "provided file " + path + ": unknown kind " + kind);
			}
			try {
				entries.add(new ProvidedFiles.Entry(path, mtime, content));
			} catch (IllegalArgumentException e) {
				throw new MalformedFieldException(at, "provided file: " + e.getMessage());
			}
		}
		try {
			return ProvidedFiles.of(entries);
		} catch (IllegalArgumentException e) {
			throw new MalformedFieldException(r.position(), "provided files: " + e.getMessage());
		}
	}

	static byte[] sha256(byte[] b) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(b);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("no SHA-256 in this Java", e);
		}
	}

	static String sha256Hex(byte[] b) {
		return HexFormat.of().formatHex(sha256(b));
	}
}
