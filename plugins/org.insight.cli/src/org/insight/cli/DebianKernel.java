package org.insight.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's own x86-64 kernel image for the QEMU peer, fetched as a package file and never installed: {@code apt-get
 * download} of the image package that the {@value #METAPACKAGE} metapackage depends on, then only
 * {@code ./boot/vmlinuz-*} is taken out of its data archive ({@code dpkg-deb --fsys-tarfile | tar -x}, which is
 * what {@code dpkg-deb -x} does, without writing the hundreds of megabytes of modules nobody boots here).
 * <p>
 * Layout: {@code PEERS/linux-image-6.1.0-56-amd64/boot/vmlinuz-6.1.0-56-amd64}. A kernel already there is used as
 * is, so the peer runs offline and stays the same kernel across bench runs. The system property
 * {@value #OVERRIDE_PROPERTY} (or the environment variable {@value #OVERRIDE_ENV}) names another kernel file.
 */
final class DebianKernel {
    static final String METAPACKAGE = "linux-image-amd64";
    static final String OVERRIDE_PROPERTY = "insight.peerKernel";
    static final String OVERRIDE_ENV = "INSIGHT_PEER_KERNEL";
    private static final Pattern IMAGE_DEPENDENCY = Pattern.compile("(?m)^\\s*\\|?Depends:\\s*(linux-image-\\S+)");
    private static final long COMMAND_TIMEOUT_SECONDS = 900;

    private DebianKernel() {
    }

    /** The kernel to boot: the override, else one fetched before into {@code peersDir}, else a fresh fetch. */
    static Path findOrFetch(Path peersDir) {
        Optional<Path> override = override();
        if (override.isPresent()) {
            return override.get();
        }
        try {
            Files.createDirectories(peersDir);
            Optional<Path> existing = extracted(peersDir);
            if (existing.isPresent()) {
                return existing.get();
            }
            // Two test JVMs (or a test and a bench) may prepare at once: one downloads, the other waits and reuses.
            try (FileChannel channel = FileChannel.open(peersDir.resolve(".fetch.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    existing = extracted(peersDir);
                    return existing.isPresent() ? existing.get() : fetch(peersDir, imagePackage());
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new PeerUnavailableException("preparing the Debian kernel for the QEMU peer in " + peersDir + ": "
                    + e, e);
        }
    }

    private static Optional<Path> override() {
        String named = System.getProperty(OVERRIDE_PROPERTY, System.getenv(OVERRIDE_ENV));
        if (named == null || named.isBlank()) {
            return Optional.empty();
        }
        Path kernel = Path.of(named);
        if (!Files.isRegularFile(kernel)) {
            throw new PeerUnavailableException("the kernel named by " + OVERRIDE_PROPERTY + "/" + OVERRIDE_ENV + " ("
                    + kernel + ") is not a file");
        }
        return Optional.of(kernel);
    }

    /** The newest kernel image already extracted under {@code peersDir}, by package name. */
    static Optional<Path> extracted(Path peersDir) throws IOException {
        if (!Files.isDirectory(peersDir)) {
            return Optional.empty();
        }
        try (Stream<Path> packages = Files.list(peersDir)) {
            for (Path dir : packages.filter(p -> p.getFileName().toString().startsWith("linux-image-"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString(), DebianKernel::compareVersions)
                            .reversed())
                    .toList()) {
                Optional<Path> image = vmlinuz(dir);
                if (image.isPresent()) {
                    return image;
                }
            }
        }
        return Optional.empty();
    }

    /** Orders names as versions: digit runs compare as numbers, so 6.1.0-56 comes after 6.1.0-9. */
    static int compareVersions(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = new BigInteger(a.substring(si, i)).compareTo(new BigInteger(b.substring(sj, j)));
                if (c != 0) {
                    return c;
                }
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static Optional<Path> vmlinuz(Path packageDir) throws IOException {
        Path boot = packageDir.resolve("boot");
        if (!Files.isDirectory(boot)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(boot)) {
            return files.filter(p -> p.getFileName().toString().startsWith("vmlinuz-") && Files.isRegularFile(p))
                    .sorted().findFirst();
        }
    }

    /** The versioned image package, e.g. linux-image-6.1.0-56-amd64, as apt's metadata names it today. */
    static String imagePackage() {
        String out = run(List.of("apt-cache", "depends", METAPACKAGE), Path.of("."),
                "looking up the kernel image package for the QEMU peer");
        return imagePackage(out).orElseThrow(() -> new PeerUnavailableException(
                "looking up the kernel image package for the QEMU peer: 'apt-cache depends " + METAPACKAGE
                        + "' names no linux-image dependency (run 'apt-get update'?). It said:\n" + out.strip()));
    }

    static Optional<String> imagePackage(String aptCacheDepends) {
        Matcher m = IMAGE_DEPENDENCY.matcher(aptCacheDepends);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Path fetch(Path peersDir, String pkg) throws IOException {
        Path work = Files.createTempDirectory(peersDir, ".fetch-");
        try {
            run(List.of("apt-get", "download", pkg), work, "downloading " + pkg + " for the QEMU peer");
            Path deb;
            try (Stream<Path> files = Files.list(work)) {
                deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new PeerUnavailableException("downloading " + pkg
                                + " for the QEMU peer: 'apt-get download' left no .deb file in " + work));
            }
            Path unpacked = Files.createDirectory(work.resolve(pkg));
            extractKernel(deb, unpacked);
            if (vmlinuz(unpacked).isEmpty()) {
                throw new PeerUnavailableException("extracting the kernel from " + deb.getFileName()
                        + ": it holds no ./boot/vmlinuz-* file");
            }
            Path target = peersDir.resolve(pkg);
            Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
            return vmlinuz(target).orElseThrow();
        } finally {
            deleteTree(work);
        }
    }

    private static void extractKernel(Path deb, Path into) throws IOException {
        Path errors = into.resolveSibling("extract.err");
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder("dpkg-deb", "--fsys-tarfile", deb.toString())
                        .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile())),
                new ProcessBuilder("tar", "-x", "-C", into.toString(), "--wildcards", "./boot/vmlinuz-*")
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(errors.toFile()))
                        .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))));
        for (Process p : pipeline) {
            int status = waitFor(p, "extracting the kernel from " + deb.getFileName());
            if (status != 0) {
                throw new PeerUnavailableException("extracting the kernel from " + deb + ": '"
                        + p.info().command().orElse("dpkg-deb --fsys-tarfile | tar -x") + "' exited with status "
                        + status + ": " + Files.readString(errors).strip());
            }
        }
    }

    /** Runs a host command to its end and returns its output; any failure says what it was for. */
    private static String run(List<String> command, Path dir, String purpose) {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new PeerUnavailableException(purpose + ": cannot run '" + command.get(0) + "' (" + e.getMessage()
                    + "); the QEMU peer fetches Debian's kernel with apt-get and dpkg-deb, or takes one from "
                    + OVERRIDE_PROPERTY, e);
        }
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(purpose + ": reading the output of '" + String.join(" ", command) + "'", e);
        }
        int status = waitFor(p, purpose);
        if (status != 0) {
            throw new PeerUnavailableException(purpose + ": '" + String.join(" ", command) + "' exited with status "
                    + status + ":\n" + out.strip());
        }
        return out;
    }

    private static int waitFor(Process p, String purpose) {
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PeerUnavailableException(purpose + ": gave up after " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PeerUnavailableException(purpose + ": interrupted", e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
