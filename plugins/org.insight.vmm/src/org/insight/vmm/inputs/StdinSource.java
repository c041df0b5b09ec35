package org.insight.vmm.inputs;

import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Where a live run's guest standard input comes from. */
public sealed interface StdinSource {
	/** Opens the source. The caller closes the stream (closing the host's stdin stream leaves fd 0 open). */
	InputStream open() throws IOException;

	/** The host's own standard input, read without buffering so the guest never sees data it did not ask for. */
	record Host() implements StdinSource {
		@Override
		public InputStream open() {
			return new FileInputStream(FileDescriptor.in) {
				@Override
				public void close() {
					// fd 0 belongs to the host process; a finished run must not close it.
				}
			};
		}
	}

	/** The contents of a file. */
	record FromFile(Path file) implements StdinSource {
		public FromFile {
			Objects.requireNonNull(file, "file");
		}

		@Override
		public InputStream open() throws IOException {
			return Files.newInputStream(file);
		}
	}

	/** Fixed bytes (tests, and replays given another stdin). */
	record Bytes(byte[] data) implements StdinSource {
		public Bytes {
			data = data.clone();
		}

		@Override
		public InputStream open() {
			return new ByteArrayInputStream(data);
		}
	}

	/** End of input at once, like {@code < /dev/null}. */
	record Empty() implements StdinSource {
		@Override
		public InputStream open() {
			return InputStream.nullInputStream();
		}
	}

	static StdinSource host() {
		return new Host();
	}

	static StdinSource empty() {
		return new Empty();
	}

	static StdinSource of(byte[] data) {
		return new Bytes(data);
	}

	static StdinSource file(Path file) {
		return new FromFile(file);
	}
}
