/* test.h: a tiny unit-test harness; TEST() registers itself at start-up. */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void	test_register(const char *, test_fn);
void	test_fail(const char *, int, const char *);
/* Prints a unified diff of want and got under the failing test. */
void	test_fail_diff(const char *, int, const char *, const char *,
	    size_t);

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void name##_reg(void)	\
	{ test_register(#name, name); }					\
	static void name(void)

#define CHECK(cond) do {						\
	if (!(cond)) { test_fail(__FILE__, __LINE__, #cond); return; }	\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || strcmp(g_, w_) != 0) {			\
		test_fail_diff(__FILE__, __LINE__, w_, g_ ? g_ : "(null)", \
		    g_ ? strlen(g_) : 6);				\
		return;							\
	}								\
} while (0)

#define CHECK_MEM(got, glen, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	size_t gl_ = (glen);						\
	if (gl_ != strlen(w_) || memcmp(g_, w_, gl_) != 0) {		\
		test_fail_diff(__FILE__, __LINE__, w_, g_, gl_);	\
		return;							\
	}								\
} while (0)

/* Where the tests find their fixtures and the repository's content/. */
const char *test_root(void);

#endif
