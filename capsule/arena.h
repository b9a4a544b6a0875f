/* arena.h: one allocation region per snapshot, freed as a whole. */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t		    block;	/* a new block's size; 0: 64 KB */
};

void	 arena_init(struct arena *);
/*
 * Blocks of size bytes from now on: an arena about to take hundreds of
 * megabytes (a million posts read) is faulted in large pages. 0: back
 * to the default.
 */
void	 arena_block_size(struct arena *, size_t size);
/* Memory stays valid until arena_free(); NULL when out of memory. */
void	*arena_alloc(struct arena *, size_t);
/*
 * Makes room for n bytes of allocations to come in one block (what a
 * million posts' copies take, faulted in large pages); 0 or -1.
 */
int	 arena_reserve(struct arena *, size_t n);
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);
/* Moves src's memory into dst, to be freed with it; src is left empty. */
void	 arena_adopt(struct arena *dst, struct arena *src);
void	 arena_free(struct arena *);

#endif
