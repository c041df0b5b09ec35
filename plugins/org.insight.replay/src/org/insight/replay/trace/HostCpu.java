package org.insight.replay.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The host CPU a recording was made on. A guest sees the host's CPUID (glibc picks its string functions by it), so
 * a replay on another CPU model would run other code: replay refuses it.
 */
public record HostCpu(String vendor, String modelName, int family, int model, int stepping) {
	private static final Path CPUINFO = Path.of("/proc/cpuinfo");

	public HostCpu {
		Objects.requireNonNull(vendor, "vendor");
		Objects.requireNonNull(modelName, "modelName");
	}

	/** This machine's CPU, from /proc/cpuinfo. */
	public static HostCpu current() {
		try {
			return parse(Files.readString(CPUINFO));
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read the host CPU model from " + CPUINFO + ": " + e, e);
		}
	}

	/**
	 * The first processor of a /proc/cpuinfo text ("vendor_id", "model name", "cpu family", "model", "stepping");
	 * a missing field reads as "unknown" or -1.
	 */
	public static HostCpu parse(String cpuinfo) {
		String vendor = "unknown";
		String name = "unknown";
		int family = -1;
		int model = -1;
		int stepping = -1;
		boolean seen = false;
		for (String line : cpuinfo.split("\n")) {
			int colon = line.indexOf(':');
			if (colon < 0) {
				if (line.isBlank() && seen) {
					break; // end of the first processor's block
				}
				continue;
			}
			String key = line.substring(0, colon).trim();
			String value = line.substring(colon + 1).trim();
			seen = true;
			switch (key) {
			case "vendor_id" -> vendor = value;
			case "model name" -> name = value;
			case "cpu family" -> family = number(value);
			case "model" -> model = number(value);
			case "stepping" -> stepping = number(value);
			default -> {
			}
			}
		}
		return new HostCpu(vendor, name, family, model, stepping);
	}

	private static int number(String s) {
		try {
			return Integer.parseInt(s);
		} catch (NumberFormatException e) {
			return -1; // "stepping : unknown" on some hypervisors; compared like any other value
		}
	}

	/** "AMD EPYC (AuthenticAMD family 26 model 2 stepping 1)". */
	public String describe() {
		return modelName + " (" + vendor + " family " + family + " model " + model + " stepping " + stepping + ")";
	}
}
