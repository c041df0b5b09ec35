package org.insight.vmm.linux.fd;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the host files a run provides ({@code --file}, {@code --ro-dir}) into {@link ProvidedFiles}, once, when the
 * run starts (a replay uses the recorded entries instead). Each path is made absolute against the host's working
 * directory and normalized; the guest sees it at that same path. A {@code --file} that is a symbolic link is
 * followed. Under a {@code --ro-dir}, every regular file and directory is provided, recursively; a symbolic link is
 * followed only when its target is a regular file inside the directory (its real path under the directory's real
 * path), and skipped otherwise. The sizes are added up before anything is read: more than {@code maxBytes} in all is
 * refused, naming the file that passes the limit.
 */
public final class HostFileLoader {
	/** The default limit of the provided files' total size: 256 MiB. */
	public static final long DEFAULT_MAX_BYTES = 256L << 20;

	/** A provided file that cannot be read, or too much. The message names the file. */
	public static final class ProvideException extends RuntimeException {
		private static final long serialVersionUID = 1L;

		ProvideException(String message) {
			super(message);
		}
	}

	private final long maxBytes;
	private final Map<String, Path> sources = new LinkedHashMap<>();
	private final Map<String, Long> directories = new LinkedHashMap<>();
	private long total;

	private HostFileLoader(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	/** The provided tree for {@code files} and {@code dirs}; nothing when both are empty. */
	public static ProvidedFiles load(List<Path> files, List<Path> dirs, long maxBytes) {
		HostFileLoader l = new HostFileLoader(maxBytes);
		for (Path f : files) {
			l.file(f);
		}
		for (Path d : dirs) {
			l.directory(d);
		}
		return l.read();
	}

	/** {@link #load} with each path a --file when it is a regular file (or a link to one), else a --ro-dir. */
	public static ProvidedFiles provide(List<Path> paths, long maxBytes) {
		return load(paths.stream().filter(Files::isRegularFile).toList(),
				paths.stream().filter(p -> !Files.isRegularFile(p)).toList(), maxBytes);
	}

	/** The guest path of a host path: absolute against the working directory, normalized. */
	public static String guestPath(Path host) {
		return ProvidedFiles.normalize("/", host.toAbsolutePath().normalize().toString());
	}

	private void file(Path f) {
		if (!Files.isRegularFile(f)) {
			throw new ProvideException("--file " + f + ": not a readable regular file");
		}
		add(guestPath(f), f);
	}

	private void add(String guest, Path source) {
		if (sources.containsKey(guest) || directories.containsKey(guest)) {
			return;
		}
		long size;
		try {
			size = Files.size(source);
		} catch (IOException e) {
			throw new ProvideException(source + ": cannot read its size: " + e.getMessage());
		}
		total += size;
		if (total > maxBytes) {
			throw new ProvideException(source + ": the provided files pass the limit of " + maxBytes
					+ " bytes in all (--max-file-bytes)");
		}
		sources.put(guest, source);
	}

	private void directory(Path dir) {
		if (!Files.isDirectory(dir)) {
			throw new ProvideException("--ro-dir " + dir + ": not a directory");
		}
		Path real;
		try {
			real = dir.toRealPath();
			Files.walkFileTree(dir, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
					directories.putIfAbsent(guestPath(d), attrs.lastModifiedTime().toMillis() / 1000);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
					if (attrs.isRegularFile()) {
						add(guestPath(f), f);
					} else if (attrs.isSymbolicLink() && Files.isRegularFile(f)
							&& f.toRealPath().startsWith(real)) {
						add(guestPath(f), f);
					}
					return FileVisitResult.CONTINUE;
				}
			});
		} catch (IOException e) {
			throw new ProvideException("--ro-dir " + dir + ": " + e.getMessage());
		}
	}

	private ProvidedFiles read() {
		List<ProvidedFiles.Entry> entries = new ArrayList<>();
		for (Map.Entry<String, Long> d : directories.entrySet()) {
			if (!sources.containsKey(d.getKey())) {
				entries.add(new ProvidedFiles.Entry(d.getKey(), d.getValue(), null));
			}
		}
		for (Map.Entry<String, Path> s : sources.entrySet()) {
			try {
				long mtime = Files.getLastModifiedTime(s.getValue()).toMillis() / 1000;
				entries.add(new ProvidedFiles.Entry(s.getKey(), mtime, Files.readAllBytes(s.getValue())));
			} catch (IOException | OutOfMemoryError e) {
				throw new ProvideException(s.getValue() + ": cannot be read: " + e.getMessage());
			}
		}
		try {
			return ProvidedFiles.of(entries);
		} catch (IllegalArgumentException e) {
			throw new ProvideException(e.getMessage());
		}
	}
}
