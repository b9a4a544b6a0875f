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
	const char	*content;	/* read only */
	const char	*cert_dir;	/* read, write: key pairs made here */
	const char	*cache_dir;	/* read, write: indexes */
	const char	*access_log;	/* write: a file, not "-" */
};

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

#endif
