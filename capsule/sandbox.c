/*
 * sandbox.c: confinement on Linux. The order matters: the bounding set
 * is emptied while still root (it takes CAP_SETPCAP); no_new_privs,
 * Landlock and seccomp come once everything is bound, loaded and made,
 * and before the worker threads start, which inherit all of it.
 *
 * The seccomp list is what the server's own code, libuv (epoll, eventfd,
 * signals, the thread pool, inotify for live reload), libtls/OpenSSL and
 * glibc call while serving and reloading; a call outside it kills the
 * whole process (SIGSYS) instead of failing quietly.
 */
/* O_PATH, and the Linux-only calls below. */
#define _GNU_SOURCE

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <linux/capability.h>
#include <linux/landlock.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
/* ABI 6 (Linux 6.12): scoping, newer than Debian 12's headers. */
#define SANDBOX_SCOPE_ABSTRACT_UNIX	(1ULL << 0)
#define SANDBOX_SCOPE_SIGNAL		(1ULL << 1)

/* landlock_ruleset_attr as of ABI 6; the kernel is told how much of it
 * it gets, so an older kernel sees only what it knows. */
struct sandbox_ll_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;	/* ABI 4 */
	uint64_t	scoped;			/* ABI 6 */
};

/* Namespace flags clone(2) takes; CLONE_NEWTIME is clone3/unshare only. */
#define SANDBOX_CLONE_NS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |	\
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

#define SANDBOX_LOG_DIR_MAX	1000	/* entries looked at in the log dir */

/* The ASan/LSan runtime reads /proc and stops the world with ptrace. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif
#ifndef SANDBOX_ASAN
#define SANDBOX_ASAN	0
#endif

#define SANDBOX_CAP_MAX	64	/* more than any kernel's CAP_LAST_CAP */

#define LL_READ	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE_V1 (LANDLOCK_ACCESS_FS_WRITE_FILE |			\
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |	\
	LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR)
#define LL_ALL_V1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)

static const char *const sandbox_syscalls[] = {
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* files: the store, post files at request time, key pairs, index */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "lseek",
	"open", "openat", "close", "fstat", "stat", "lstat", "newfstatat",
	"statx", "getdents64", "fcntl", "dup", "dup2", "dup3", "fsync",
	"fdatasync", "ftruncate", "fadvise64", "rename", "renameat",
	"renameat2", "unlink", "unlinkat", "mkdir", "mkdirat", "readlink",
	"readlinkat", "access", "faccessat", "faccessat2", "getcwd",
	/*
	 * sockets: accept and serve, and send on syslog's socket, opened
	 * before confinement; no new socket and no connect (below)
	 */
	"accept", "accept4", "recvfrom", "recvmsg", "sendto", "sendmsg",
	"sendmmsg", "shutdown", "setsockopt", "getsockopt", "getsockname",
	"getpeername",
	/* the event loop: epoll, async wakeups, signals, inotify */
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "poll", "ppoll", "eventfd2", "pipe2",
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"restart_syscall",
	/* threads: workers and libuv's pool (clone, tgkill: below) */
	"futex", "set_robust_list", "rseq", "sched_getaffinity",
	"sched_yield", "gettid", "getpid", "exit", "exit_group",
	/* the search index builds at a lower priority than serving */
	"setpriority", "getpriority",
	/* time, randomness, limits */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time", "getrandom", "prlimit64", "getrlimit",
	"sysinfo", "uname", "getuid", "geteuid", "getgid", "getegid",
};

/* What the sanitizer runtime adds, in the ASan build only. */
static const char *const sandbox_asan_syscalls[] = {
	"ptrace", "wait4", "waitid", "prctl", "getppid", "kill", "getdents",
	"sched_getparam", "sched_setaffinity",
};

int
sandbox_drop_bounding(char *err, size_t errsz)
{
	int cap;

	if (geteuid() != 0)
		return 0;
	for (cap = 0; cap < SANDBOX_CAP_MAX; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			if (errno == EINVAL)	/* past the last capability */
				break;
			snprintf(err, errsz, "emptying the capability bounding "
			    "set: %s", strerror(errno));
			return -1;
		}
	}
	return 1;
}

/* Still root (--foreground without --user): give up every capability. */
static int
sandbox_drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &h, d);
}

/* Adds a rule: path and what lies beneath it get access. */
static int
sandbox_ll_path(int ruleset, const char *path, uint64_t access,
    uint64_t handled)
{
	struct landlock_path_beneath_attr pb;
	struct stat sb;
	int fd, rc;

	if (path == NULL || path[0] == '\0' || strcmp(path, "-") == 0)
		return 0;
	/* What is not there, or not ours to reach, needs no rule. */
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	/* A file takes only file rights, not a directory's. */
	if (fstat(fd, &sb) == 0 && !S_ISDIR(sb.st_mode))
		access &= LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_TRUNCATE;
	pb.allowed_access = access & handled;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(fd);
	return rc;
}

int
sandbox_content_root(const char *content, char *out, size_t outsz)
{
	char real[PATH_MAX], *slash;

	snprintf(out, outsz, "%s", content);
	if (realpath(content, real) == NULL ||
	    (slash = strrchr(real, '/')) == NULL || slash == real)
		return 0;
	*slash = '\0';
	if (strlen(real) >= outsz)
		return 0;
	snprintf(out, outsz, "%s", real);
	return 1;
}

int
sandbox_log_dir(const char *log, char *out, size_t outsz)
{
	char real[PATH_MAX], *slash;
	const char *base;
	struct dirent *de;
	struct stat sb;
	size_t blen, n = 0;
	int dfd, ok = 1;
	DIR *d;

	if (realpath(log, real) == NULL)
		return -1;
	if ((slash = strrchr(real, '/')) == NULL || slash == real) {
		snprintf(out, outsz, "the file system's root");
		return 0;
	}
	*slash = '\0';
	base = slash + 1;
	blen = strlen(base);
	if ((d = opendir(real)) == NULL)
		return -1;
	dfd = dirfd(d);
	while (ok && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* access.log, access.log.1, access.log-20260101.gz */
		if (++n > SANDBOX_LOG_DIR_MAX ||
		    strncmp(de->d_name, base, blen) != 0 ||
		    fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(sb.st_mode)) {
			snprintf(out, outsz, "%s also holds %s", real,
			    n > SANDBOX_LOG_DIR_MAX ? "many files" : de->d_name);
			ok = 0;
		}
	}
	closedir(d);
	if (ok)
		snprintf(out, outsz, "%s", real);
	return ok;
}

/*
 * Landlock: content read only; the cache dir read and write, the cert
 * dir too when a key pair may have to be made; the access log written.
 * ABI 6 also keeps signals and abstract Unix sockets inside the domain.
 * Returns 1 applied, 0 the kernel has none, -1.
 */
static int
sandbox_landlock(const struct sandbox_paths *p, int *abi_out, char *err,
    size_t errsz)
{
	struct sandbox_ll_attr attr;
	uint64_t handled, rw;
	size_t attrsz = sizeof(attr.handled_access_fs);
	char root[PATH_MAX];
	int abi, rs;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	*abi_out = abi;
	if (abi < 1)
		return 0;
	handled = LL_ALL_V1;
	if (abi >= 2)
		handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	rw = LL_READ | LL_WRITE_V1 | LANDLOCK_ACCESS_FS_REFER |
	    LANDLOCK_ACCESS_FS_TRUNCATE;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled;
	if (abi >= 6) {
		attr.scoped = SANDBOX_SCOPE_ABSTRACT_UNIX |
		    SANDBOX_SCOPE_SIGNAL;
		attrsz = sizeof(attr);
	}
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attrsz,
	    0)) == -1) {
		snprintf(err, errsz, "landlock: %s", strerror(errno));
		return -1;
	}
	if (p->content != NULL)
		(void)sandbox_content_root(p->content, root, sizeof(root));
	if ((p->content != NULL && sandbox_ll_path(rs, root, LL_READ,
	    handled) == -1) ||
	    sandbox_ll_path(rs, p->cert_dir, p->cert_write ? rw : LL_READ,
	    handled) == -1 ||
	    sandbox_ll_path(rs, p->cache_dir, rw, handled) == -1 ||
	    sandbox_ll_path(rs, p->access_log, LANDLOCK_ACCESS_FS_WRITE_FILE,
	    handled) == -1 ||
	    /* a rotated log is made anew: creating, not removing */
	    sandbox_ll_path(rs, p->log_dir, LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_REG, handled) == -1 ||
	    /* the spare descriptor taken when out of them */
	    sandbox_ll_path(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE,
	    handled) == -1 ||
	    (SANDBOX_ASAN && sandbox_ll_path(rs, "/proc", LL_READ,
	    handled) == -1) ||
	    syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		snprintf(err, errsz, "landlock: %s", strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	return 1;
}

static int
sandbox_allow(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A name this architecture does not have is simply not needed. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

/*
 * The calls allowed only with some arguments, or refused with an error
 * a library handles instead of killing the process.
 */
static int
sandbox_seccomp_args(scmp_filter_ctx ctx)
{
	static const unsigned long ioctls[] = { FIONBIO, FIOCLEX, FIONCLEX,
	    TCGETS };
	size_t i;
	int rc = 0;

	/* libuv sets O_NONBLOCK and FD_CLOEXEC with ioctl; stdio asks isatty */
	for (i = 0; rc == 0 && i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_EQ, ioctls[i], 0));
	/*
	 * No new socket, no connect: syslog's socket is open already, and
	 * syslog(3) copes with a refused reconnect (the message is lost).
	 */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socket), 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socketpair), 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(connect), 0);
	/* Threads, never a namespace; a flag outside the mask kills. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, SANDBOX_CLONE_NS, 0));
	/* clone3 passes its flags in memory seccomp cannot read: glibc
	 * falls back to clone on ENOSYS, whose flags are checked above. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		    SCMP_SYS(clone3), 0);
	/* Signals to our own threads only (raise, abort, libuv). */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
	return rc;
}

/*
 * The calls of the serving path, most frequent first (strace -c of a
 * worker under Gemini and Gopher load): with priorities libseccomp tests
 * them first. Most calls never run the filter at all: the kernel (5.11+)
 * caches the answer for calls allowed whatever their arguments, so what
 * is left is a fixed cost per call (README "Confinement": about 40 ns).
 * libseccomp's binary tree layout measured no better here.
 */
static const char *const sandbox_hot_syscalls[] = {
	"epoll_ctl", "read", "epoll_wait", "epoll_pwait", "accept4",
	"shutdown", "close", "writev", "write", "recvfrom", "setsockopt",
	"ioctl", "getpid", "sendto", "sendmsg", "recvmsg", "futex",
	"getrandom", "openat", "fstat", "newfstatat", "pread64", "readv",
	"clock_gettime", "mprotect", "madvise", "munmap", "mmap", "brk",
};

static int
sandbox_seccomp(char *err, size_t errsz)
{
	scmp_filter_ctx ctx;
	size_t i, n;
	int rc = 0, nr;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		snprintf(err, errsz, "seccomp: cannot make a filter");
		return -1;
	}
	n = sizeof(sandbox_hot_syscalls) / sizeof(sandbox_hot_syscalls[0]);
	for (i = 0; rc == 0 && i < n; i++)
		if ((nr = seccomp_syscall_resolve_name(sandbox_hot_syscalls[i]))
		    != __NR_SCMP_ERROR)
			rc = seccomp_syscall_priority(ctx, nr,
			    (uint8_t)(255 - i));
	for (i = 0; rc == 0 && i < sizeof(sandbox_syscalls) /
	    sizeof(sandbox_syscalls[0]); i++)
		rc = sandbox_allow(ctx, sandbox_syscalls[i]);
	for (i = 0; SANDBOX_ASAN && rc == 0 && i <
	    sizeof(sandbox_asan_syscalls) / sizeof(sandbox_asan_syscalls[0]);
	    i++)
		rc = sandbox_allow(ctx, sandbox_asan_syscalls[i]);
	if (rc == 0)
		rc = sandbox_seccomp_args(ctx);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errsz, "seccomp: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int
sandbox_enter(const struct sandbox_paths *p, char *what, size_t whatsz,
    char *err, size_t errsz)
{
	int ll, abi = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errsz, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && sandbox_drop_caps() == -1) {
		snprintf(err, errsz, "dropping capabilities: %s",
		    strerror(errno));
		return -1;
	}
	if ((ll = sandbox_landlock(p, &abi, err, errsz)) == -1)
		return -1;
	if (sandbox_seccomp(err, errsz) == -1)
		return -1;
	if (ll)
		snprintf(what, whatsz, "sandbox: no_new_privs, seccomp filter%s,"
		    " Landlock (ABI %d%s)", SANDBOX_ASAN ? " (widened for ASan)"
		    : "", abi, abi >= 6 ? ", signals and abstract sockets "
		    "scoped" : "");
	else
		snprintf(what, whatsz, "sandbox: no_new_privs, seccomp filter%s;"
		    " no Landlock in this kernel", SANDBOX_ASAN ?
		    " (widened for ASan)" : "");
	return 0;
}

void
sandbox_selftest(void)
{
	/* Nothing capsule does mounts anything. */
	(void)syscall(SYS_mount, "none", "/", "none", 0, NULL);
}

/* The probes' outcome: -1 from the call is a refusal. */
static int
sandbox_probe_rc(long rc, const char *what, char *msg, size_t msgsz)
{
	if (rc == -1) {
		snprintf(msg, msgsz, "%s: refused: %s", what, strerror(errno));
		return 1;
	}
	snprintf(msg, msgsz, "%s: it worked", what);
	return 0;
}

/* Linux's clone3 arguments, as far as the probe needs them. */
struct sandbox_clone_args {
	uint64_t	flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t	stack, stack_size, tls;
};

int
sandbox_probe(const char *what, char *msg, size_t msgsz)
{
	struct sandbox_clone_args ca;
	struct sockaddr_un sun;
	const char *arg, *bar;
	char from[PATH_MAX];
	socklen_t len;
	long rc;
	int fd;

	if ((arg = strchr(what, ':')) == NULL)
		return -1;
	arg++;
	if (strncmp(what, "connect:", 8) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(arg) >= sizeof(sun.sun_path))
			return -1;
		memcpy(sun.sun_path, arg, strlen(arg));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(arg));
		if (arg[0] == '@')	/* abstract: a leading NUL */
			sun.sun_path[0] = '\0';
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			return sandbox_probe_rc(-1, "socket", msg, msgsz);
		rc = connect(fd, (struct sockaddr *)&sun, len);
		close(fd);
		return sandbox_probe_rc(rc, "connect", msg, msgsz);
	}
	if (strncmp(what, "tgkill:", 7) == 0) {
		rc = atol(arg);
		return sandbox_probe_rc(syscall(SYS_tgkill, (pid_t)rc,
		    (pid_t)rc, SIGTERM), "tgkill", msg, msgsz);
	}
	if (strcmp(what, "unshare:user") == 0)
		return sandbox_probe_rc(syscall(SYS_unshare, CLONE_NEWUSER),
		    "unshare", msg, msgsz);
	if (strcmp(what, "clone:user") == 0) {
		if ((rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0,
		    0)) == 0)
			_exit(0);
		return sandbox_probe_rc(rc == -1 ? -1 : 0, "clone", msg,
		    msgsz);
	}
	if (strcmp(what, "clone3:user") == 0) {
		memset(&ca, 0, sizeof(ca));
		ca.flags = CLONE_NEWUSER;
		ca.exit_signal = SIGCHLD;
		if ((rc = syscall(SYS_clone3, &ca, sizeof(ca))) == 0)
			_exit(0);
		return sandbox_probe_rc(rc == -1 ? -1 : 0, "clone3", msg,
		    msgsz);
	}
	if (strncmp(what, "rename:", 7) == 0 &&
	    (bar = strchr(arg, '|')) != NULL &&
	    (size_t)(bar - arg) < sizeof(from)) {
		memcpy(from, arg, (size_t)(bar - arg));
		from[bar - arg] = '\0';
		return sandbox_probe_rc(rename(from, bar + 1), "rename", msg,
		    msgsz);
	}
	return -1;
}
