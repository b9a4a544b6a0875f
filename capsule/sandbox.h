/*
 * sandbox.h: confinement on Linux, in one place (as gmid keeps it): no
 * new privileges, an empty capability bounding set, Landlock on the file
 * system, and a seccomp filter that kills the process on any system call
 * the server does not make.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/* Where the server may still go once confined; NULL or "" skips one. */
struct sandbox_paths {
	const char	*content;	/* read only: see sandbox_content_root */
	const char	*cert_dir;	/* read; written only if cert_write */
	int		 cert_write;	/* a reload may have to make a key pair */
	const char	*cache_dir;	/* read, write: indexes */
	const char	*access_log;	/* write: a file, not "-" */
	const char	*log_dir;	/* NULL, or the log's own directory:
					   made anew there when rotated */
};

/*
 * The directory Landlock lets the server read: the parent of where the
 * content directory resolves to, so that a directory renamed into its
 * place, or a symlink flipped to a sibling release, stays readable after
 * confinement (a rule holds an inode, not a name). The content directory
 * itself when that parent is "/". Returns 1 the parent, 0 the directory.
 */
int	 sandbox_content_root(const char *content, char *out, size_t outsz);

/*
 * The access log's directory into out when it holds nothing but that log
 * and its rotations (regular files whose names begin with the log's):
 * then it may be made writable, so a moved log can be made anew. Returns
 * 1 so, 0 not (out says why), -1 when it cannot be read.
 */
int	 sandbox_log_dir(const char *log, char *out, size_t outsz);

/*
 * While still root (before setuid): empties the capability bounding set,
 * which needs CAP_SETPCAP. Returns 1 done, 0 not root (nothing to drop),
 * -1 with err.
 */
int	 sandbox_drop_bounding(char *err, size_t errsz);

/*
 * After binding, dropping privileges and loading: no_new_privs, what is
 * left of the capabilities, Landlock where the kernel has it, then the
 * seccomp filter. Must run before any thread starts. what gets a line
 * for the start-up log. Returns 0, or -1 with err.
 */
int	 sandbox_enter(const struct sandbox_paths *, char *what, size_t,
	    char *err, size_t errsz);

/* Test only: makes a system call the filter forbids (the server dies). */
void	 sandbox_selftest(void);

/*
 * Test only: tries what a confined server must not do. what is one of
 * connect:PATH (a Unix socket; @NAME an abstract one), tgkill:PID,
 * unshare:user, clone:user, clone3:user, rename:FROM:TO (a '|' between
 * the paths). Returns 1 refused, 0 it worked, -1 an unknown probe; msg
 * says what happened.
 */
int	 sandbox_probe(const char *what, char *msg, size_t msgsz);

#endif
