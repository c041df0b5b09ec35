package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binding's hand-written ABI (struct sizes and offsets, ioctl numbers, constants, errno names) against
 * what gcc computes from {@code <linux/kvm.h>} and glibc's headers on this machine. Needs no KVM, only gcc,
 * which is part of the test toolchain: without it this test fails.
 */
class KvmAbiTest {
    private static final String PROBE = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <errno.h>
            #include <stddef.h>
            #include <string.h>
            #include <signal.h>
            #include <fcntl.h>
            #include <time.h>
            #include <sys/mman.h>
            #include <sys/syscall.h>
            #include <linux/kvm.h>
            #define SIZE(t) printf("sizeof.%s %zu\\n", #t, sizeof(struct t))
            #define OFF(t, f) printf("offsetof.%s.%s %zu\\n", #t, #f, offsetof(struct t, f))
            #define CONST(n) printf("const.%s %lld\\n", #n, (long long)(n))
            #define REG(f) OFF(kvm_regs, f)
            int main(void) {
              SIZE(kvm_regs);
              REG(rax); REG(rbx); REG(rcx); REG(rdx); REG(rsi); REG(rdi); REG(rsp); REG(rbp);
              REG(r8); REG(r9); REG(r10); REG(r11); REG(r12); REG(r13); REG(r14); REG(r15); REG(rip); REG(rflags);
              SIZE(kvm_segment); OFF(kvm_segment, base); OFF(kvm_segment, limit); OFF(kvm_segment, selector);
              OFF(kvm_segment, type); OFF(kvm_segment, present); OFF(kvm_segment, dpl); OFF(kvm_segment, db);
              OFF(kvm_segment, s); OFF(kvm_segment, l); OFF(kvm_segment, g); OFF(kvm_segment, avl);
              OFF(kvm_segment, unusable);
              SIZE(kvm_dtable); OFF(kvm_dtable, base); OFF(kvm_dtable, limit);
              SIZE(kvm_sregs); OFF(kvm_sregs, cs); OFF(kvm_sregs, ds); OFF(kvm_sregs, es); OFF(kvm_sregs, fs);
              OFF(kvm_sregs, gs); OFF(kvm_sregs, ss); OFF(kvm_sregs, tr); OFF(kvm_sregs, ldt); OFF(kvm_sregs, gdt);
              OFF(kvm_sregs, idt); OFF(kvm_sregs, cr0); OFF(kvm_sregs, cr2); OFF(kvm_sregs, cr3); OFF(kvm_sregs, cr4);
              OFF(kvm_sregs, cr8); OFF(kvm_sregs, efer); OFF(kvm_sregs, apic_base); OFF(kvm_sregs, interrupt_bitmap);
              SIZE(kvm_run); OFF(kvm_run, immediate_exit); OFF(kvm_run, exit_reason);
              OFF(kvm_run, io.direction); OFF(kvm_run, io.size); OFF(kvm_run, io.port); OFF(kvm_run, io.count);
              OFF(kvm_run, io.data_offset);
              OFF(kvm_run, mmio.phys_addr); OFF(kvm_run, mmio.data); OFF(kvm_run, mmio.len); OFF(kvm_run, mmio.is_write);
              OFF(kvm_run, fail_entry.hardware_entry_failure_reason);
              OFF(kvm_run, internal.suberror); OFF(kvm_run, internal.ndata); OFF(kvm_run, internal.data);
              printf("length.kvm_run.internal.data %zu\\n", sizeof(((struct kvm_run *)0)->internal.data) / 8);
              OFF(kvm_run, kvm_valid_regs); OFF(kvm_run, kvm_dirty_regs); OFF(kvm_run, s.regs.regs);
              SIZE(kvm_msrs); OFF(kvm_msrs, nmsrs); OFF(kvm_msrs, entries);
              SIZE(kvm_msr_entry); OFF(kvm_msr_entry, index); OFF(kvm_msr_entry, data);
              SIZE(kvm_cpuid2); OFF(kvm_cpuid2, nent); OFF(kvm_cpuid2, entries);
              SIZE(kvm_cpuid_entry2); OFF(kvm_cpuid_entry2, function); OFF(kvm_cpuid_entry2, index);
              OFF(kvm_cpuid_entry2, flags); OFF(kvm_cpuid_entry2, eax); OFF(kvm_cpuid_entry2, ebx);
              OFF(kvm_cpuid_entry2, ecx); OFF(kvm_cpuid_entry2, edx);
              SIZE(kvm_userspace_memory_region); OFF(kvm_userspace_memory_region, slot);
              OFF(kvm_userspace_memory_region, flags); OFF(kvm_userspace_memory_region, guest_phys_addr);
              OFF(kvm_userspace_memory_region, memory_size); OFF(kvm_userspace_memory_region, userspace_addr);
              SIZE(kvm_xsave); SIZE(kvm_signal_mask); OFF(kvm_signal_mask, len); OFF(kvm_signal_mask, sigset);
              SIZE(sigaction); OFF(sigaction, sa_handler);
              CONST(KVM_GET_API_VERSION); CONST(KVM_CREATE_VM); CONST(KVM_CHECK_EXTENSION);
              CONST(KVM_GET_VCPU_MMAP_SIZE); CONST(KVM_GET_SUPPORTED_CPUID); CONST(KVM_CREATE_VCPU);
              CONST(KVM_SET_USER_MEMORY_REGION); CONST(KVM_RUN); CONST(KVM_GET_REGS); CONST(KVM_SET_REGS);
              CONST(KVM_GET_SREGS); CONST(KVM_SET_SREGS); CONST(KVM_GET_MSRS); CONST(KVM_SET_MSRS);
              CONST(KVM_SET_SIGNAL_MASK); CONST(KVM_SET_CPUID2); CONST(KVM_GET_XSAVE); CONST(KVM_SET_XSAVE);
              CONST(KVM_API_VERSION); CONST(KVM_CAP_USER_MEMORY); CONST(KVM_CAP_EXT_CPUID); CONST(KVM_CAP_NR_MEMSLOTS);
              CONST(KVM_CAP_SET_GUEST_DEBUG); CONST(KVM_CAP_VCPU_EVENTS); CONST(KVM_CAP_XSAVE);
              CONST(KVM_CAP_SYNC_REGS); CONST(KVM_CAP_READONLY_MEM); CONST(KVM_CAP_IMMEDIATE_EXIT);
              CONST(KVM_CAP_X86_USER_SPACE_MSR);
              CONST(KVM_SYNC_X86_REGS); CONST(KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
              CONST(KVM_EXIT_UNKNOWN); CONST(KVM_EXIT_IO); CONST(KVM_EXIT_HLT); CONST(KVM_EXIT_MMIO);
              CONST(KVM_EXIT_SHUTDOWN); CONST(KVM_EXIT_FAIL_ENTRY); CONST(KVM_EXIT_INTR); CONST(KVM_EXIT_INTERNAL_ERROR);
              CONST(KVM_EXIT_IO_IN); CONST(KVM_EXIT_IO_OUT);
              CONST(O_RDWR); CONST(O_CLOEXEC); CONST(PROT_NONE); CONST(PROT_READ); CONST(PROT_WRITE);
              CONST(MAP_SHARED); CONST(MAP_PRIVATE); CONST(MAP_ANONYMOUS); CONST(MAP_NORESERVE); CONST(MAP_FAILED);
              CONST(MADV_DONTNEED); CONST(SIG_BLOCK); CONST(SIG_UNBLOCK); CONST(SIG_SETMASK); CONST(SIG_DFL); CONST(SIG_IGN);
              printf("sizeof.sigset_t %zu\\n", sizeof(sigset_t)); printf("sizeof.siginfo_t %zu\\n", sizeof(siginfo_t));
              SIZE(timespec);
              CONST(SYS_getpid); CONST(SYS_gettid); CONST(SYS_tgkill);
              CONST(EINTR); CONST(EAGAIN); CONST(ESRCH); CONST(E2BIG); CONST(SIGRTMIN); CONST(SIGRTMAX);
              for (int e = 1; e < 200; e++) { const char *n = strerrorname_np(e); if (n) printf("errno.%d %s\\n", e, n); }
              return 0;
            }
            """;

    private static Map<String, String> probe;

    @BeforeAll
    static void compileAndRunProbe() throws Exception {
        Path dir = Files.createTempDirectory("insight-kvm-abi-probe");
        try {
            Path source = dir.resolve("probe.c");
            Path binary = dir.resolve("probe");
            Files.writeString(source, PROBE);
            String compiled = exec(dir, List.of("gcc", "-Wall", "-o", binary.toString(), source.toString()), "gcc");
            probe = new TreeMap<>();
            for (String line : exec(dir, List.of(binary.toString()), "the probe").split("\n")) {
                int space = line.indexOf(' ');
                probe.put(line.substring(0, space), line.substring(space + 1).trim());
            }
            assertTrue(probe.size() > 150, "probe printed only " + probe.size() + " lines; gcc said: " + compiled);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static String exec(Path dir, List<String> command, String what) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("cannot run " + command.get(0) + " (" + e.getMessage() + "): gcc and the Linux kernel headers"
                    + " (<linux/kvm.h>) are part of the test toolchain; install gcc and linux-libc-dev");
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(what + " did not finish within 60 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(what + " failed with exit status " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static void assertAll(Map<String, Long> expected) {
        List<String> mismatches = new ArrayList<>();
        expected.forEach((key, javaValue) -> {
            String c = probe.get(key);
            if (c == null) {
                mismatches.add(key + ": the probe printed nothing");
            } else if (Long.parseLong(c) != javaValue) {
                mismatches.add(key + ": C says " + c + ", Java has " + javaValue);
            }
        });
        assertTrue(mismatches.isEmpty(), "ABI mismatches:\n  " + String.join("\n  ", mismatches));
    }

    @Test
    void structSizesAndOffsetsMatchTheHeaders() {
        Map<String, Long> e = new LinkedHashMap<>();
        e.put("sizeof.kvm_regs", (long) KvmStructs.REGS_SIZE);
        e.put("sizeof.kvm_segment", (long) KvmStructs.SEGMENT_SIZE);
        e.put("offsetof.kvm_segment.base", (long) KvmStructs.SEGMENT_BASE);
        e.put("offsetof.kvm_segment.limit", (long) KvmStructs.SEGMENT_LIMIT);
        e.put("offsetof.kvm_segment.selector", (long) KvmStructs.SEGMENT_SELECTOR);
        e.put("offsetof.kvm_segment.type", (long) KvmStructs.SEGMENT_TYPE);
        e.put("offsetof.kvm_segment.present", (long) KvmStructs.SEGMENT_PRESENT);
        e.put("offsetof.kvm_segment.dpl", (long) KvmStructs.SEGMENT_DPL);
        e.put("offsetof.kvm_segment.db", (long) KvmStructs.SEGMENT_DB);
        e.put("offsetof.kvm_segment.s", (long) KvmStructs.SEGMENT_S);
        e.put("offsetof.kvm_segment.l", (long) KvmStructs.SEGMENT_L);
        e.put("offsetof.kvm_segment.g", (long) KvmStructs.SEGMENT_G);
        e.put("offsetof.kvm_segment.avl", (long) KvmStructs.SEGMENT_AVL);
        e.put("offsetof.kvm_segment.unusable", (long) KvmStructs.SEGMENT_UNUSABLE);
        e.put("sizeof.kvm_dtable", (long) KvmStructs.DTABLE_SIZE);
        e.put("offsetof.kvm_dtable.base", (long) KvmStructs.DTABLE_BASE);
        e.put("offsetof.kvm_dtable.limit", (long) KvmStructs.DTABLE_LIMIT);
        e.put("sizeof.kvm_sregs", (long) KvmStructs.SREGS_SIZE);
        e.put("offsetof.kvm_sregs.cs", (long) KvmStructs.SREGS_CS);
        e.put("offsetof.kvm_sregs.ds", (long) KvmStructs.SREGS_DS);
        e.put("offsetof.kvm_sregs.es", (long) KvmStructs.SREGS_ES);
        e.put("offsetof.kvm_sregs.fs", (long) KvmStructs.SREGS_FS);
        e.put("offsetof.kvm_sregs.gs", (long) KvmStructs.SREGS_GS);
        e.put("offsetof.kvm_sregs.ss", (long) KvmStructs.SREGS_SS);
        e.put("offsetof.kvm_sregs.tr", (long) KvmStructs.SREGS_TR);
        e.put("offsetof.kvm_sregs.ldt", (long) KvmStructs.SREGS_LDT);
        e.put("offsetof.kvm_sregs.gdt", (long) KvmStructs.SREGS_GDT);
        e.put("offsetof.kvm_sregs.idt", (long) KvmStructs.SREGS_IDT);
        e.put("offsetof.kvm_sregs.cr0", (long) KvmStructs.SREGS_CR0);
        e.put("offsetof.kvm_sregs.cr2", (long) KvmStructs.SREGS_CR2);
        e.put("offsetof.kvm_sregs.cr3", (long) KvmStructs.SREGS_CR3);
        e.put("offsetof.kvm_sregs.cr4", (long) KvmStructs.SREGS_CR4);
        e.put("offsetof.kvm_sregs.cr8", (long) KvmStructs.SREGS_CR8);
        e.put("offsetof.kvm_sregs.efer", (long) KvmStructs.SREGS_EFER);
        e.put("offsetof.kvm_sregs.apic_base", (long) KvmStructs.SREGS_APIC_BASE);
        e.put("offsetof.kvm_sregs.interrupt_bitmap", (long) KvmStructs.SREGS_INTERRUPT_BITMAP);
        e.put("sizeof.kvm_msrs", (long) KvmStructs.MSRS_HEADER_SIZE);
        e.put("offsetof.kvm_msrs.nmsrs", (long) KvmStructs.MSRS_NMSRS);
        e.put("offsetof.kvm_msrs.entries", (long) KvmStructs.MSRS_ENTRIES);
        e.put("sizeof.kvm_msr_entry", (long) KvmStructs.MSR_ENTRY_SIZE);
        e.put("offsetof.kvm_msr_entry.index", (long) KvmStructs.MSR_ENTRY_INDEX);
        e.put("offsetof.kvm_msr_entry.data", (long) KvmStructs.MSR_ENTRY_DATA);
        e.put("sizeof.kvm_cpuid2", (long) KvmStructs.CPUID2_HEADER_SIZE);
        e.put("offsetof.kvm_cpuid2.nent", (long) KvmStructs.CPUID2_NENT);
        e.put("offsetof.kvm_cpuid2.entries", (long) KvmStructs.CPUID2_ENTRIES);
        e.put("sizeof.kvm_cpuid_entry2", (long) KvmStructs.CPUID_ENTRY2_SIZE);
        e.put("offsetof.kvm_cpuid_entry2.function", (long) KvmStructs.CPUID_ENTRY2_FUNCTION);
        e.put("offsetof.kvm_cpuid_entry2.index", (long) KvmStructs.CPUID_ENTRY2_INDEX);
        e.put("offsetof.kvm_cpuid_entry2.flags", (long) KvmStructs.CPUID_ENTRY2_FLAGS);
        e.put("offsetof.kvm_cpuid_entry2.eax", (long) KvmStructs.CPUID_ENTRY2_EAX);
        e.put("offsetof.kvm_cpuid_entry2.ebx", (long) KvmStructs.CPUID_ENTRY2_EBX);
        e.put("offsetof.kvm_cpuid_entry2.ecx", (long) KvmStructs.CPUID_ENTRY2_ECX);
        e.put("offsetof.kvm_cpuid_entry2.edx", (long) KvmStructs.CPUID_ENTRY2_EDX);
        e.put("sizeof.kvm_userspace_memory_region", (long) KvmStructs.USER_MEMORY_REGION_SIZE);
        e.put("offsetof.kvm_userspace_memory_region.slot", (long) KvmStructs.REGION_SLOT);
        e.put("offsetof.kvm_userspace_memory_region.flags", (long) KvmStructs.REGION_FLAGS);
        e.put("offsetof.kvm_userspace_memory_region.guest_phys_addr", (long) KvmStructs.REGION_GUEST_PHYS_ADDR);
        e.put("offsetof.kvm_userspace_memory_region.memory_size", (long) KvmStructs.REGION_MEMORY_SIZE);
        e.put("offsetof.kvm_userspace_memory_region.userspace_addr", (long) KvmStructs.REGION_USERSPACE_ADDR);
        e.put("sizeof.kvm_xsave", (long) KvmStructs.XSAVE_SIZE);
        e.put("sizeof.kvm_signal_mask", (long) KvmStructs.SIGNAL_MASK_HEADER_SIZE);
        e.put("offsetof.kvm_signal_mask.len", (long) KvmStructs.SIGNAL_MASK_LEN);
        e.put("offsetof.kvm_signal_mask.sigset", (long) KvmStructs.SIGNAL_MASK_SIGSET);
        assertAll(e);
    }

    @Test
    void kvmRunFieldsMatchTheHeader() {
        Map<String, Long> e = new LinkedHashMap<>();
        e.put("sizeof.kvm_run", (long) KvmRun.STRUCT_SIZE);
        e.put("offsetof.kvm_run.immediate_exit", (long) KvmRun.IMMEDIATE_EXIT);
        e.put("offsetof.kvm_run.exit_reason", (long) KvmRun.EXIT_REASON);
        e.put("offsetof.kvm_run.io.direction", (long) KvmRun.IO_DIRECTION);
        e.put("offsetof.kvm_run.io.size", (long) KvmRun.IO_SIZE);
        e.put("offsetof.kvm_run.io.port", (long) KvmRun.IO_PORT);
        e.put("offsetof.kvm_run.io.count", (long) KvmRun.IO_COUNT);
        e.put("offsetof.kvm_run.io.data_offset", (long) KvmRun.IO_DATA_OFFSET);
        e.put("offsetof.kvm_run.mmio.phys_addr", (long) KvmRun.MMIO_PHYS_ADDR);
        e.put("offsetof.kvm_run.mmio.data", (long) KvmRun.MMIO_DATA);
        e.put("offsetof.kvm_run.mmio.len", (long) KvmRun.MMIO_LEN);
        e.put("offsetof.kvm_run.mmio.is_write", (long) KvmRun.MMIO_IS_WRITE);
        e.put("offsetof.kvm_run.fail_entry.hardware_entry_failure_reason", (long) KvmRun.FAIL_ENTRY_REASON);
        e.put("offsetof.kvm_run.internal.suberror", (long) KvmRun.INTERNAL_SUBERROR);
        e.put("offsetof.kvm_run.internal.ndata", (long) KvmRun.INTERNAL_NDATA);
        e.put("offsetof.kvm_run.internal.data", (long) KvmRun.INTERNAL_DATA);
        e.put("length.kvm_run.internal.data", (long) KvmRun.INTERNAL_DATA_MAX);
        e.put("offsetof.kvm_run.kvm_valid_regs", (long) KvmRun.KVM_VALID_REGS);
        e.put("offsetof.kvm_run.kvm_dirty_regs", (long) KvmRun.KVM_DIRTY_REGS);
        e.put("offsetof.kvm_run.s.regs.regs", (long) KvmRun.SYNC_REGS);
        e.put("const.KVM_SYNC_X86_REGS", KvmRun.KVM_SYNC_X86_REGS);
        e.put("const.KVM_EXIT_UNKNOWN", (long) KvmRun.EXIT_UNKNOWN);
        e.put("const.KVM_EXIT_IO", (long) KvmRun.EXIT_IO);
        e.put("const.KVM_EXIT_HLT", (long) KvmRun.EXIT_HLT);
        e.put("const.KVM_EXIT_MMIO", (long) KvmRun.EXIT_MMIO);
        e.put("const.KVM_EXIT_SHUTDOWN", (long) KvmRun.EXIT_SHUTDOWN);
        e.put("const.KVM_EXIT_FAIL_ENTRY", (long) KvmRun.EXIT_FAIL_ENTRY);
        e.put("const.KVM_EXIT_INTR", (long) KvmRun.EXIT_INTR);
        e.put("const.KVM_EXIT_INTERNAL_ERROR", (long) KvmRun.EXIT_INTERNAL_ERROR);
        e.put("const.KVM_EXIT_IO_IN", (long) KvmRun.IO_IN);
        e.put("const.KVM_EXIT_IO_OUT", (long) KvmRun.IO_OUT);
        assertAll(e);
    }

    /** Ties each public Regs field to its offset in struct kvm_regs through the codec the binding really uses. */
    @Test
    void everyRegsFieldLandsAtItsKvmRegsOffset() throws Exception {
        Regs regs = new Regs();
        List<java.lang.reflect.Field> fields = new ArrayList<>();
        long value = 0x1111_0000_0000_0001L;
        for (var f : Regs.class.getFields()) {
            f.setLong(regs, value++);
            fields.add(f);
        }
        assertEquals(Regs.COUNT, fields.size(), "Regs should have exactly the kvm_regs registers as public fields");
        try (Memory m = new Memory(KvmStructs.REGS_SIZE)) {
            KvmStructs.writeRegs(m, 0, regs);
            for (var f : fields) {
                String key = "offsetof.kvm_regs." + f.getName();
                assertTrue(probe.containsKey(key), "struct kvm_regs has no field " + f.getName());
                assertEquals(f.getLong(regs), m.getLong(Long.parseLong(probe.get(key))), "kvm_regs." + f.getName());
            }
        }
    }

    @Test
    void ioctlNumbersMatchTheHeader() {
        Map<String, Long> e = new LinkedHashMap<>();
        e.put("const.KVM_GET_API_VERSION", Ioctls.KVM_GET_API_VERSION);
        e.put("const.KVM_CREATE_VM", Ioctls.KVM_CREATE_VM);
        e.put("const.KVM_CHECK_EXTENSION", Ioctls.KVM_CHECK_EXTENSION);
        e.put("const.KVM_GET_VCPU_MMAP_SIZE", Ioctls.KVM_GET_VCPU_MMAP_SIZE);
        e.put("const.KVM_GET_SUPPORTED_CPUID", Ioctls.KVM_GET_SUPPORTED_CPUID);
        e.put("const.KVM_CREATE_VCPU", Ioctls.KVM_CREATE_VCPU);
        e.put("const.KVM_SET_USER_MEMORY_REGION", Ioctls.KVM_SET_USER_MEMORY_REGION);
        e.put("const.KVM_RUN", Ioctls.KVM_RUN);
        e.put("const.KVM_GET_REGS", Ioctls.KVM_GET_REGS);
        e.put("const.KVM_SET_REGS", Ioctls.KVM_SET_REGS);
        e.put("const.KVM_GET_SREGS", Ioctls.KVM_GET_SREGS);
        e.put("const.KVM_SET_SREGS", Ioctls.KVM_SET_SREGS);
        e.put("const.KVM_GET_MSRS", Ioctls.KVM_GET_MSRS);
        e.put("const.KVM_SET_MSRS", Ioctls.KVM_SET_MSRS);
        e.put("const.KVM_SET_SIGNAL_MASK", Ioctls.KVM_SET_SIGNAL_MASK);
        e.put("const.KVM_SET_CPUID2", Ioctls.KVM_SET_CPUID2);
        e.put("const.KVM_GET_XSAVE", Ioctls.KVM_GET_XSAVE);
        e.put("const.KVM_SET_XSAVE", Ioctls.KVM_SET_XSAVE);
        assertAll(e);
    }

    @Test
    void capabilityAndCpuidConstantsMatchTheHeader() {
        Map<String, Long> e = new LinkedHashMap<>();
        e.put("const.KVM_API_VERSION", (long) Kvm.API_VERSION);
        e.put("const.KVM_CAP_USER_MEMORY", (long) Kvm.CAP_USER_MEMORY);
        e.put("const.KVM_CAP_EXT_CPUID", (long) Kvm.CAP_EXT_CPUID);
        e.put("const.KVM_CAP_NR_MEMSLOTS", (long) Kvm.CAP_NR_MEMSLOTS);
        e.put("const.KVM_CAP_SET_GUEST_DEBUG", (long) Kvm.CAP_SET_GUEST_DEBUG);
        e.put("const.KVM_CAP_VCPU_EVENTS", (long) Kvm.CAP_VCPU_EVENTS);
        e.put("const.KVM_CAP_XSAVE", (long) Kvm.CAP_XSAVE);
        e.put("const.KVM_CAP_SYNC_REGS", (long) Kvm.CAP_SYNC_REGS);
        e.put("const.KVM_CAP_READONLY_MEM", (long) Kvm.CAP_READONLY_MEM);
        e.put("const.KVM_CAP_IMMEDIATE_EXIT", (long) Kvm.CAP_IMMEDIATE_EXIT);
        e.put("const.KVM_CAP_X86_USER_SPACE_MSR", (long) Kvm.CAP_X86_USER_SPACE_MSR);
        e.put("const.KVM_CPUID_FLAG_SIGNIFCANT_INDEX", (long) Cpuid.FLAG_SIGNIFICANT_INDEX);
        assertAll(e);
    }

    @Test
    void libcConstantsMatchTheHeaders() {
        Map<String, Long> e = new LinkedHashMap<>();
        e.put("const.O_RDWR", (long) Libc.O_RDWR);
        e.put("const.O_CLOEXEC", (long) Libc.O_CLOEXEC);
        e.put("const.PROT_NONE", (long) Libc.PROT_NONE);
        e.put("const.PROT_READ", (long) Libc.PROT_READ);
        e.put("const.PROT_WRITE", (long) Libc.PROT_WRITE);
        e.put("const.MAP_SHARED", (long) Libc.MAP_SHARED);
        e.put("const.MAP_PRIVATE", (long) Libc.MAP_PRIVATE);
        e.put("const.MAP_ANONYMOUS", (long) Libc.MAP_ANONYMOUS);
        e.put("const.MAP_NORESERVE", (long) Libc.MAP_NORESERVE);
        e.put("const.MAP_FAILED", Libc.MAP_FAILED);
        e.put("const.MADV_DONTNEED", (long) Libc.MADV_DONTNEED);
        e.put("const.SIG_BLOCK", (long) Libc.SIG_BLOCK);
        e.put("const.SIG_UNBLOCK", (long) Libc.SIG_UNBLOCK);
        e.put("const.SIG_SETMASK", (long) Libc.SIG_SETMASK);
        e.put("const.SIG_DFL", Libc.SIG_DFL);
        e.put("const.SIG_IGN", Libc.SIG_IGN);
        e.put("sizeof.sigset_t", (long) Libc.SIGSET_T_SIZE);
        e.put("sizeof.siginfo_t", (long) Libc.SIGINFO_T_SIZE);
        e.put("sizeof.timespec", (long) Libc.TIMESPEC_SIZE);
        e.put("sizeof.sigaction", (long) Libc.SIGACTION_SIZE);
        e.put("offsetof.sigaction.sa_handler", 0L);
        e.put("const.SYS_getpid", Libc.SYS_GETPID);
        e.put("const.SYS_gettid", Libc.SYS_GETTID);
        e.put("const.SYS_tgkill", Libc.SYS_TGKILL);
        e.put("const.EINTR", (long) Libc.EINTR);
        e.put("const.EAGAIN", (long) Libc.EAGAIN);
        e.put("const.ESRCH", (long) Libc.ESRCH);
        e.put("const.E2BIG", (long) Libc.E2BIG);
        assertAll(e);
    }

    @Test
    void kickSignalIsARealTimeSignalOfThisLibc() {
        long min = Long.parseLong(probe.get("const.SIGRTMIN"));
        long max = Long.parseLong(probe.get("const.SIGRTMAX"));
        assertTrue(KickSignal.NUMBER >= min && KickSignal.NUMBER <= max,
                "kick signal " + KickSignal.NUMBER + " outside [SIGRTMIN " + min + ", SIGRTMAX " + max + "]");
    }

    @Test
    void errnoNamesMatchGlibc() {
        List<String> mismatches = new ArrayList<>();
        for (int errno = 1; errno < 200; errno++) {
            String c = probe.getOrDefault("errno." + errno, "unknown errno");
            if (!c.equals(ErrnoNames.name(errno))) {
                mismatches.add(errno + ": glibc " + c + ", Java " + ErrnoNames.name(errno));
            }
        }
        assertTrue(mismatches.isEmpty(), "errno names differ:\n  " + String.join("\n  ", mismatches));
        assertEquals(133, ErrnoNames.highest(), "the table should end at EHWPOISON");
    }
}
