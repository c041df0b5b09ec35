package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianKernelTest {

    @Test
    void theImagePackageIsTheMetapackagesDependency() {
        String bookworm = """
                linux-image-amd64
                  Depends: linux-image-6.1.0-56-amd64
                """;
        assertEquals(Optional.of("linux-image-6.1.0-56-amd64"), DebianKernel.imagePackage(bookworm));
        String alternatives = """
                linux-image-amd64
                 |Depends: linux-image-6.12.48+deb13-amd64
                  Depends: linux-image-6.12.48+deb13-amd64-unsigned
                """;
        assertEquals(Optional.of("linux-image-6.12.48+deb13-amd64"), DebianKernel.imagePackage(alternatives));
        assertEquals(Optional.empty(), DebianKernel.imagePackage("linux-image-amd64\n"));
    }

    @Test
    void versionsCompareByTheirNumbers() {
        assertEquals(true, DebianKernel.compareVersions("linux-image-6.1.0-56-amd64", "linux-image-6.1.0-9-amd64") > 0);
        assertEquals(true, DebianKernel.compareVersions("linux-image-6.12.1-amd64", "linux-image-6.1.99-amd64") > 0);
        assertEquals(0, DebianKernel.compareVersions("linux-image-6.1.0-56-amd64", "linux-image-6.1.0-56-amd64"));
    }

    @Test
    void anAlreadyExtractedKernelIsFoundAndTheNewestPackageWins(@TempDir Path peers) throws IOException {
        assertEquals(Optional.empty(), DebianKernel.extracted(peers.resolve("absent")));
        Files.createDirectories(peers.resolve(".fetch-123/linux-image-9.9.9-amd64/boot"));
        Files.createDirectories(peers.resolve("linux-image-6.1.0-9-amd64/boot"));
        Files.writeString(peers.resolve("linux-image-6.1.0-9-amd64/boot/vmlinuz-6.1.0-9-amd64"), "old");
        Files.createDirectories(peers.resolve("linux-image-6.1.0-56-amd64/boot"));
        Files.writeString(peers.resolve("linux-image-6.1.0-56-amd64/boot/vmlinuz-6.1.0-56-amd64"), "new");
        Files.createDirectories(peers.resolve("linux-image-7.0.0-1-amd64/boot")); // an interrupted extraction

        assertEquals(Optional.of(peers.resolve("linux-image-6.1.0-56-amd64/boot/vmlinuz-6.1.0-56-amd64")),
                DebianKernel.extracted(peers));
    }
}
