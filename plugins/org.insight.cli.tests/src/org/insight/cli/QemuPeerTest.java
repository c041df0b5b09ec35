package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuPeerTest {
    private static final String TOKEN = "qemu-peer-token-4711";
    private static final String PROGRAM = """
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                printf("%s", "TOKEN");
                for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
                printf("\\n");
                printf("pid %d argv0 %s\\n", (int)getpid(), argv[0]);
                return 7;
            }
            """.replace("TOKEN", TOKEN);

    /**
     * The whole peer on a real QEMU and a real Debian kernel: a tiny static program recorded, then replayed. It
     * runs as init (pid 1), gets its arguments through the kernel command line, and the replay reproduces the
     * recorded output and exit code.
     */
    @Test
    void aStaticProgramIsRecordedAndReplayedUnderQemu(@TempDir Path dir) throws Exception {
        Path program = compileStatic(dir);
        QemuPeer peer = QemuPeer.prepare(toolsDir()).withTimeout(Duration.ofMinutes(10));

        PeerRun recorded = peer.record(program, List.of("alpha", "b=2"), dir.resolve("run")).requireCompleted();

        List<String> expected = List.of(TOKEN + " alpha b=2", "pid 1 argv0 /init");
        assertEquals(expected, recorded.output());
        assertEquals(7, recorded.exitCode());
        assertEquals(0, recorded.signal());
        assertTrue(recorded.logBytes() > 0, "QEMU wrote a replay log");
        assertTrue(recorded.workload().compareTo(Duration.ZERO) > 0, "workload " + recorded.workload());
        assertTrue(recorded.workload().compareTo(recorded.wholeProcess()) < 0,
                "workload " + recorded.workload() + " within the whole run " + recorded.wholeProcess());

        PeerRun replayed = peer.replay(recorded).requireCompleted();

        assertEquals(PeerRun.Mode.REPLAY, replayed.mode());
        assertEquals(recorded.output(), replayed.output());
        assertEquals(expected, replayed.output());
        assertEquals(7, replayed.exitCode());
        assertEquals(recorded.logBytes(), replayed.logBytes(), "a replay reads the log and leaves it as it was");
        System.out.printf("QEMU peer: record whole %d ms, workload %d ms, log %d bytes; "
                + "replay whole %d ms, workload %d ms%n", recorded.wholeProcess().toMillis(),
                recorded.workload().toMillis(), recorded.logBytes(), replayed.wholeProcess().toMillis(),
                replayed.workload().toMillis());
    }

    @Test
    void recordAndReplayDifferOnlyInTheRrMode() {
        QemuPeer peer = new QemuPeer(Path.of("/usr/bin/qemu-system-x86_64"), Path.of("/k/vmlinuz"), Duration.ZERO,
                QemuPeer.DEFAULT_ICOUNT);
        List<String> record = peer.command(PeerRun.Mode.RECORD, Path.of("/w/i.cpio"), Path.of("/w/log"),
                List.of("100"));
        List<String> replay = peer.command(PeerRun.Mode.REPLAY, Path.of("/w/i.cpio"), Path.of("/w/log"),
                List.of("100"));

        assertEquals("shift=auto,rr=record,rrfile=/w/log", record.get(record.indexOf("-icount") + 1));
        assertEquals("shift=auto,rr=replay,rrfile=/w/log", replay.get(replay.indexOf("-icount") + 1));
        assertEquals(record.subList(0, record.size() - 1), replay.subList(0, replay.size() - 1));
        assertEquals("1", record.get(record.indexOf("-smp") + 1));
        assertTrue(record.contains("-no-reboot"));
        assertEquals("console=ttyS0 quiet printk.time=1 panic=-1 rdinit=/insight-start init=/init -- 100",
                record.get(record.indexOf("-append") + 1));
        assertNotEquals(-1, record.indexOf("-nodefaults"), "no default NIC: its packets would not be recorded");

        List<String> noSleep = peer.withIcount("shift=0,sleep=off").command(PeerRun.Mode.REPLAY, Path.of("/w/i.cpio"),
                Path.of("/w/log"), List.of());
        assertEquals("shift=0,sleep=off,rr=replay,rrfile=/w/log", noSleep.get(noSleep.indexOf("-icount") + 1));
        assertThrows(IllegalArgumentException.class, () -> peer.withIcount("shift=auto,rr=record"));
        assertThrows(IllegalArgumentException.class, () -> peer.withIcount("rrfile=/x"));
    }

    @Test
    void argumentsTheKernelCommandLineWouldMangleAreRefused() {
        QemuPeer.checkArgs(List.of("300000", "a=b", "--x"));
        PeerRunException blank = assertThrows(PeerRunException.class, () -> QemuPeer.checkArgs(List.of("a b")));
        assertTrue(blank.getMessage().contains("'a b'"), blank.getMessage());
        assertThrows(PeerRunException.class, () -> QemuPeer.checkArgs(List.of("")));
        assertThrows(PeerRunException.class, () -> QemuPeer.checkArgs(List.of("\"q\"")));
        assertThrows(PeerRunException.class, () -> QemuPeer.checkArgs(java.util.Collections.nCopies(31, "x")));
        assertThrows(PeerRunException.class, () -> QemuPeer.checkArgs(List.of("x".repeat(2000))));
    }

    @Test
    void aReplayNeedsACompletedRecording() {
        QemuPeer peer = new QemuPeer(Path.of("/usr/bin/qemu-system-x86_64"), Path.of("/k/vmlinuz"), Duration.ZERO,
                QemuPeer.DEFAULT_ICOUNT);
        PeerRun failed = new PeerRun(PeerRun.Mode.RECORD, Path.of("/p"), List.of(), List.of(), Path.of("/w/i"),
                Path.of("/w/l"), 0, Duration.ZERO, Duration.ZERO, List.of(), List.of(), -1, "timed out", List.of());
        PeerRunException e = assertThrows(PeerRunException.class, () -> peer.replay(failed));
        assertEquals("QEMU replay of /p: needs a completed recording, got a failed run (timed out)", e.getMessage());
        PeerRunException required = assertThrows(PeerRunException.class, failed::requireCompleted);
        assertTrue(required.getMessage().startsWith("QEMU record of /p (log /w/l): timed out"), required.getMessage());
    }

    private static Path compileStatic(Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("token.c");
        Files.writeString(source, PROGRAM);
        Path binary = dir.resolve("token");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("the QEMU peer test compiles its guest with 'gcc -static': install gcc and libc6-dev ("
                    + e.getMessage() + ")");
        }
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            fail("gcc -static failed on the QEMU peer test program:\n" + out);
        }
        return binary;
    }

    /** Where the peer keeps its kernel: the repository's .tools folder, found next to build/guests or above. */
    static Path toolsDir() {
        String tools = System.getProperty("insight.tools");
        if (tools != null) {
            return Path.of(tools);
        }
        String guests = System.getProperty("insight.guests");
        if (guests != null && Path.of(guests).getParent() != null && Path.of(guests).getParent().getParent() != null) {
            return Path.of(guests).toAbsolutePath().getParent().getParent().resolve(".tools");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("insight")) && Files.isDirectory(d.resolve("plugins"))) {
                return d.resolve(".tools");
            }
        }
        return fail("cannot find the repository's .tools folder for the QEMU peer's kernel: set -Dinsight.tools");
    }
}
