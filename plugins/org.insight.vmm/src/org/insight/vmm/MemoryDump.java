package org.insight.vmm;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.insight.vmm.memory.AddressSpace;

/**
 * A debugging aid for a final memory digest that differs between a recording and its replay: with the system
 * property {@value #PROPERTY} naming a directory, every run writes there what its digest covered, as
 * {@code NAME-N.pages} (one line per VMA, one line per populated page with its SHA-256, see
 * {@link AddressSpace#pageDigests()}) and {@code NAME-N.bin} (each populated page as its 8-byte big-endian address
 * followed by its 4096 bytes). N counts the runs of this JVM, so a recording and its replays sit side by side and
 * {@code diff} names the pages that differ. Off by default; it changes nothing in the run.
 */
public final class MemoryDump {
	public static final String PROPERTY = "insight.memoryDump";
	private static final AtomicInteger RUNS = new AtomicInteger();

	private MemoryDump() {
	}

	/** Writes {@code space}'s pages if {@value #PROPERTY} is set; returns the listing written, if any. */
	static Path writeIfAsked(AddressSpace space, String guestName) {
		String dir = System.getProperty(PROPERTY);
		if (dir == null || dir.isBlank()) {
			return null;
		}
		String base = guestName.replaceAll(".*/", "").replaceAll("[^A-Za-z0-9._-]", "_") + "-"
				+ RUNS.incrementAndGet();
		try {
			Path d = Files.createDirectories(Path.of(dir));
			Path listing = d.resolve(base + ".pages");
			try (Writer w = Files.newBufferedWriter(listing, StandardCharsets.US_ASCII);
					DataOutputStream bin = new DataOutputStream(new BufferedOutputStream(
							Files.newOutputStream(d.resolve(base + ".bin"))))) {
				w.write("# memory sha256 " + java.util.HexFormat.of().formatHex(space.sha256()) + "\n");
				space.forEachPopulatedPage(v -> write(w, "vma " + v + "\n"), (va, page) -> {
					try {
						bin.writeLong(va);
						bin.write(page);
					} catch (IOException e) {
						throw new UncheckedIOException(e);
					}
				});
				for (AddressSpace.PageDigest p : space.pageDigests()) {
					w.write("page " + p + "\n");
				}
			}
			return listing;
		} catch (IOException | UncheckedIOException e) {
			System.getLogger(MemoryDump.class.getName()).log(System.Logger.Level.WARNING,
					"could not write the memory dump to " + dir + ": " + e.getMessage());
			return null;
		}
	}

	private static void write(Writer w, String s) {
		try {
			w.write(s);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
