package org.insight.vmm.linux;

/**
 * Linux x86-64 errno values used by the syscall handlers, and the names of all of them. A handler returns
 * {@code -Errno.EFAULT} the way the kernel does.
 */
public final class Errno {
	private Errno() {
	}

	public static final int EPERM = 1;
	public static final int ENOENT = 2;
	public static final int ESRCH = 3;
	public static final int EINTR = 4;
	public static final int EIO = 5;
	public static final int EBADF = 9;
	public static final int ECHILD = 10;
	public static final int EAGAIN = 11;
	public static final int ENOMEM = 12;
	public static final int EACCES = 13;
	public static final int EFAULT = 14;
	public static final int EEXIST = 17;
	public static final int ENODEV = 19;
	public static final int EINVAL = 22;
	public static final int EMFILE = 24;
	public static final int ENOTTY = 25;
	public static final int ESPIPE = 29;
	public static final int EPIPE = 32;
	public static final int ERANGE = 34;
	public static final int ENAMETOOLONG = 36;
	public static final int EDEADLK = 35;
	public static final int ENOSYS = 38;
	public static final int EOVERFLOW = 75;
	public static final int ETIMEDOUT = 110;
	public static final int EOPNOTSUPP = 95;

	/** Index = errno, from {@code <asm-generic/errno.h>}; "" where Linux has no value (41, 58). */
	private static final String[] NAMES = {
		"", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM",
		"EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE",
		"EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE",
		"EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP", "", "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC",
		"EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC",
		"EBADSLT", "", "EBFONT", "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV",
		"ESRMNT", "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG",
		"ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK",
		"EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP",
		"EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET",
		"ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT",
		"ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL",
		"EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED",
		"EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"
	};

	/** "EFAULT" for 14, "errno 200" for a value without a name. */
	public static String name(int errno) {
		if (errno > 0 && errno < NAMES.length && !NAMES[errno].isEmpty()) {
			return NAMES[errno];
		}
		return "errno " + errno;
	}

	/** How a syscall result reads in messages: "-EFAULT" for -14, the number itself otherwise. */
	public static String describeResult(long result) {
		if (result < 0 && result >= -4095) {
			return "-" + name((int) -result);
		}
		return Long.toString(result);
	}
}
