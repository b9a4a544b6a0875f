/* arena.c: bump allocation in blocks; a snapshot frees all at once. */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK	(64u * 1024)
#define ARENA_ALIGN	16
#define ARENA_HUGE	(8u * 1024 * 1024)	/* asks for huge pages */
#define ARENA_HUGE_PAGE	(2u * 1024 * 1024)

struct arena_block {
	struct arena_block	*next;
	size_t			 used;
	size_t			 size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

/*
 * A block of many megabytes (a million posts' structures, written once
 * at a start or an update) is faulted in 2 MB at a time rather than 4 KB:
 * on a virtual machine each fault is dear, and a start's time was a third
 * page faults. Only a hint: where the kernel has no huge pages, nothing.
 */
static void
arena_huge(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start, end;

	start = ((uintptr_t)p + ARENA_HUGE_PAGE - 1) &
	    ~(uintptr_t)(ARENA_HUGE_PAGE - 1);
	end = ((uintptr_t)p + size) & ~(uintptr_t)(ARENA_HUGE_PAGE - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)size;
#endif
}

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->block = 0;
}

void
arena_block_size(struct arena *a, size_t size)
{
	a->block = size;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t off, size, block = a->block ? a->block : ARENA_BLOCK;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	if (b != NULL) {
		off = (b->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
		if (off <= b->size && b->size - off >= n) {
			b->used = off + n;
			return b->data + off;
		}
	}
	size = n > block ? n : block;
	if ((b = malloc(sizeof(*b) + size)) == NULL)
		return NULL;
	if (size >= ARENA_HUGE)
		arena_huge(b->data, size);
	b->size = size;
	b->used = n;
	/* A large one-off block goes behind the head so the head keeps room. */
	if (size > block && a->head != NULL) {
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
	}
	return b->data;
}

int
arena_reserve(struct arena *a, size_t n)
{
	struct arena_block *b;

	if (n <= ARENA_BLOCK)
		return 0;
	if (n > SIZE_MAX / 2 || (b = malloc(sizeof(*b) + n)) == NULL)
		return -1;
	if (n >= ARENA_HUGE)
		arena_huge(b->data, n);
	b->size = n;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	return 0;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if ((p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void
arena_adopt(struct arena *dst, struct arena *src)
{
	struct arena_block *tail;

	if ((tail = src->head) == NULL)
		return;
	while (tail->next != NULL)
		tail = tail->next;
	/* Behind dst's head, which keeps its room for the next allocation. */
	if (dst->head == NULL)
		dst->head = src->head;
	else {
		tail->next = dst->head->next;
		dst->head->next = src->head;
	}
	src->head = NULL;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}
