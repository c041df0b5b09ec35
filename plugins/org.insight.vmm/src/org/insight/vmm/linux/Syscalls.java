package org.insight.vmm.linux;

/** Linux x86-64 syscall numbers, and the names of all of them (from {@code <asm/unistd_64.h>}). */
public final class Syscalls {
	private Syscalls() {
	}

	public static final int READ = 0;
	public static final int WRITE = 1;
	public static final int OPEN = 2;
	public static final int CLOSE = 3;
	public static final int STAT = 4;
	public static final int FSTAT = 5;
	public static final int LSTAT = 6;
	public static final int POLL = 7;
	public static final int LSEEK = 8;
	public static final int MMAP = 9;
	public static final int MPROTECT = 10;
	public static final int MUNMAP = 11;
	public static final int BRK = 12;
	public static final int RT_SIGACTION = 13;
	public static final int RT_SIGPROCMASK = 14;
	public static final int RT_SIGRETURN = 15;
	public static final int IOCTL = 16;
	public static final int PREAD64 = 17;
	public static final int PWRITE64 = 18;
	public static final int READV = 19;
	public static final int WRITEV = 20;
	public static final int ACCESS = 21;
	public static final int SCHED_YIELD = 24;
	public static final int MREMAP = 25;
	public static final int MADVISE = 28;
	public static final int NANOSLEEP = 35;
	public static final int GETPID = 39;
	public static final int CLONE = 56;
	public static final int FORK = 57;
	public static final int VFORK = 58;
	public static final int EXECVE = 59;
	public static final int EXIT = 60;
	public static final int WAIT4 = 61;
	public static final int KILL = 62;
	public static final int UNAME = 63;
	public static final int FCNTL = 72;
	public static final int GETCWD = 79;
	public static final int READLINK = 89;
	public static final int GETTIMEOFDAY = 96;
	public static final int GETRLIMIT = 97;
	public static final int GETUID = 102;
	public static final int GETGID = 104;
	public static final int GETEUID = 107;
	public static final int GETEGID = 108;
	public static final int GETPPID = 110;
	public static final int GETPGRP = 111;
	public static final int GETGROUPS = 115;
	public static final int SIGALTSTACK = 131;
	public static final int ARCH_PRCTL = 158;
	public static final int SETRLIMIT = 160;
	public static final int GETTID = 186;
	public static final int TKILL = 200;
	public static final int TIME = 201;
	public static final int FUTEX = 202;
	public static final int SCHED_GETAFFINITY = 204;
	public static final int SCHED_SETAFFINITY = 203;
	public static final int SET_TID_ADDRESS = 218;
	public static final int CLOCK_GETTIME = 228;
	public static final int CLOCK_GETRES = 229;
	public static final int CLOCK_NANOSLEEP = 230;
	public static final int EXIT_GROUP = 231;
	public static final int TGKILL = 234;
	public static final int WAITID = 247;
	public static final int OPENAT = 257;
	public static final int NEWFSTATAT = 262;
	public static final int READLINKAT = 267;
	public static final int FACCESSAT = 269;
	public static final int SET_ROBUST_LIST = 273;
	public static final int GET_ROBUST_LIST = 274;
	public static final int PRLIMIT64 = 302;
	public static final int GETRANDOM = 318;
	public static final int RSEQ = 334;
	public static final int CLONE3 = 435;
	public static final int EXECVEAT = 322;
	public static final int FACCESSAT2 = 439;
	public static final int STATX = 332;
	public static final int GETRUSAGE = 98;
	public static final int SYSINFO = 99;
	public static final int GETPGID = 121;
	public static final int GETSID = 124;
	public static final int SETSID = 112;
	public static final int DUP = 32;
	public static final int DUP2 = 33;
	public static final int DUP3 = 292;
	public static final int PIPE = 22;
	public static final int PIPE2 = 293;
	public static final int SCHED_GETSCHEDULER = 145;
	public static final int SCHED_GETPARAM = 143;
	public static final int SCHED_SETPARAM = 142;
	public static final int SCHED_SETSCHEDULER = 144;
	public static final int SCHED_GET_PRIORITY_MAX = 146;
	public static final int SCHED_GET_PRIORITY_MIN = 147;
	public static final int TIMES = 100;
	public static final int PRCTL = 157;
	public static final int MEMBARRIER = 324;
	public static final int GETITIMER = 36, ALARM = 37, SETITIMER = 38;
	public static final int TIMER_CREATE = 222, TIMER_SETTIME = 223, TIMER_GETTIME = 224, TIMER_GETOVERRUN = 225,
			TIMER_DELETE = 226;
	public static final int TIMERFD_CREATE = 283, TIMERFD_SETTIME = 286, TIMERFD_GETTIME = 287;
	public static final int SELECT = 23;
	public static final int PSELECT6 = 270;
	public static final int PPOLL = 271;
	public static final int EVENTFD = 284;
	public static final int EVENTFD2 = 290;
	public static final int EPOLL_CREATE1 = 291;
	public static final int EPOLL_CREATE = 213;
	public static final int EPOLL_CTL = 233;
	public static final int EPOLL_WAIT = 232;
	public static final int GETDENTS64 = 217;
	public static final int PREADV = 295;
	public static final int EPOLL_PWAIT = 281;
	public static final int EPOLL_PWAIT2 = 441;

	/** Index = syscall number; "" where x86-64 has no syscall. */
	private static final String[] NAMES = {
		"read", "write", "open", "close", "stat", "fstat", "lstat", "poll", "lseek", "mmap", "mprotect", "munmap", "brk",
		"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "pread64", "pwrite64", "readv", "writev", "access",
		"pipe", "select", "sched_yield", "mremap", "msync", "mincore", "madvise", "shmget", "shmat", "shmctl", "dup",
		"dup2", "pause", "nanosleep", "getitimer", "alarm", "setitimer", "getpid", "sendfile", "socket", "connect",
		"accept", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "bind", "listen", "getsockname", "getpeername",
		"socketpair", "setsockopt", "getsockopt", "clone", "fork", "vfork", "execve", "exit", "wait4", "kill", "uname",
		"semget", "semop", "semctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl", "fcntl", "flock", "fsync",
		"fdatasync", "truncate", "ftruncate", "getdents", "getcwd", "chdir", "fchdir", "rename", "mkdir", "rmdir", "creat",
		"link", "unlink", "symlink", "readlink", "chmod", "fchmod", "chown", "fchown", "lchown", "umask", "gettimeofday",
		"getrlimit", "getrusage", "sysinfo", "times", "ptrace", "getuid", "syslog", "getgid", "setuid", "setgid",
		"geteuid", "getegid", "setpgid", "getppid", "getpgrp", "setsid", "setreuid", "setregid", "getgroups", "setgroups",
		"setresuid", "getresuid", "setresgid", "getresgid", "getpgid", "setfsuid", "setfsgid", "getsid", "capget",
		"capset", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo", "rt_sigsuspend", "sigaltstack", "utime", "mknod",
		"uselib", "personality", "ustat", "statfs", "fstatfs", "sysfs", "getpriority", "setpriority", "sched_setparam",
		"sched_getparam", "sched_setscheduler", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
		"sched_rr_get_interval", "mlock", "munlock", "mlockall", "munlockall", "vhangup", "modify_ldt", "pivot_root",
		"_sysctl", "prctl", "arch_prctl", "adjtimex", "setrlimit", "chroot", "sync", "acct", "settimeofday", "mount",
		"umount2", "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "iopl", "ioperm", "create_module",
		"init_module", "delete_module", "get_kernel_syms", "query_module", "quotactl", "nfsservctl", "getpmsg", "putpmsg",
		"afs_syscall", "tuxcall", "security", "gettid", "readahead", "setxattr", "lsetxattr", "fsetxattr", "getxattr",
		"lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr",
		"tkill", "time", "futex", "sched_setaffinity", "sched_getaffinity", "set_thread_area", "io_setup", "io_destroy",
		"io_getevents", "io_submit", "io_cancel", "get_thread_area", "lookup_dcookie", "epoll_create", "epoll_ctl_old",
		"epoll_wait_old", "remap_file_pages", "getdents64", "set_tid_address", "restart_syscall", "semtimedop",
		"fadvise64", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_settime",
		"clock_gettime", "clock_getres", "clock_nanosleep", "exit_group", "epoll_wait", "epoll_ctl", "tgkill", "utimes",
		"vserver", "mbind", "set_mempolicy", "get_mempolicy", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
		"mq_notify", "mq_getsetattr", "kexec_load", "waitid", "add_key", "request_key", "keyctl", "ioprio_set",
		"ioprio_get", "inotify_init", "inotify_add_watch", "inotify_rm_watch", "migrate_pages", "openat", "mkdirat",
		"mknodat", "fchownat", "futimesat", "newfstatat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat",
		"fchmodat", "faccessat", "pselect6", "ppoll", "unshare", "set_robust_list", "get_robust_list", "splice", "tee",
		"sync_file_range", "vmsplice", "move_pages", "utimensat", "epoll_pwait", "signalfd", "timerfd_create", "eventfd",
		"fallocate", "timerfd_settime", "timerfd_gettime", "accept4", "signalfd4", "eventfd2", "epoll_create1", "dup3",
		"pipe2", "inotify_init1", "preadv", "pwritev", "rt_tgsigqueueinfo", "perf_event_open", "recvmmsg", "fanotify_init",
		"fanotify_mark", "prlimit64", "name_to_handle_at", "open_by_handle_at", "clock_adjtime", "syncfs", "sendmmsg",
		"setns", "getcpu", "process_vm_readv", "process_vm_writev", "kcmp", "finit_module", "sched_setattr",
		"sched_getattr", "renameat2", "seccomp", "getrandom", "memfd_create", "kexec_file_load", "bpf", "execveat",
		"userfaultfd", "membarrier", "mlock2", "copy_file_range", "preadv2", "pwritev2", "pkey_mprotect", "pkey_alloc",
		"pkey_free", "statx", "io_pgetevents", "rseq", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
		"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
		"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
		"", "", "", "", "", "", "", "", "", "", "", "", "", "", "pidfd_send_signal", "io_uring_setup", "io_uring_enter",
		"io_uring_register", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "pidfd_open", "clone3",
		"close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise", "epoll_pwait2", "mount_setattr",
		"quotactl_fd", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "memfd_secret",
		"process_mrelease", "futex_waitv", "set_mempolicy_home_node"
	};

	/** "futex" for 202; "syscall 999" for a number x86-64 does not have. */
	public static String name(long nr) {
		if (nr >= 0 && nr < NAMES.length && !NAMES[(int) nr].isEmpty()) {
			return NAMES[(int) nr];
		}
		return "syscall " + nr;
	}

	/** One past the highest syscall number x86-64 has. */
	public static int limit() {
		return NAMES.length;
	}
}
