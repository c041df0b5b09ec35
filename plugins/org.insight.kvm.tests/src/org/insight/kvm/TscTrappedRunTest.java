package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The hand-assembled KVM_RUN that sets the thread's TSD around it (no /dev/kvm needed). */
class TscTrappedRunTest {
    @Test
    void theCodeIsTheInstructionsItsCommentSays() throws Exception {
        Path blob = Files.createTempFile("insight-tsc-trapped-run-", ".bin");
        Files.write(blob, TscTrappedRun.CODE);
        Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-mi386:x86-64", "-M", "intel",
                blob.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor(), out);
        Files.delete(blob);
        List<String> instructions = out.lines().filter(l -> l.matches("\\s+[0-9a-f]+:\\t.*"))
                .map(l -> l.substring(l.lastIndexOf('\t') + 1).replaceAll("\\s+", " ").trim()).toList();
        assertEquals(List.of("push rbx", "push r12", "mov ebx,edi", "mov r12,rsi",
                "mov eax,0x9d", "mov edi,0x1a", "mov esi,0x2", "syscall",
                "mov eax,0x10", "mov edi,ebx", "mov rsi,r12", "xor edx,edx", "syscall", "mov rbx,rax",
                "mov eax,0x9d", "mov edi,0x1a", "mov esi,0x1", "syscall",
                "mov rax,rbx", "pop r12", "pop rbx", "ret"), instructions);
    }

    @Test
    void aFailedRunReturnsMinusErrnoAndLeavesTheThreadsClockWorking() {
        for (int i = 0; i < 1000; i++) {
            // fd -1: the ioctl fails with EBADF between the two prctls
            assertEquals(-9, TscTrappedRun.run(-1));
            // the JVM's clock reads the TSC through the vDSO on most hosts: TSD must be off again here
            assertTrue(System.nanoTime() != 0);
        }
    }
}
