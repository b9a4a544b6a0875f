/*
 * fake_store.h: a store built by hand in memory, for tests of code that
 * reads a snapshot (search, feeds) without post files or store_load().
 */
#ifndef FAKE_STORE_H
#define FAKE_STORE_H

#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "store.h"

#define FAKE_MAX_POSTS	256
#define FAKE_MAX_TAGS	16

struct fake_store {
	struct store	 st;
	struct search_index *idx;	/* search_build(&st), when built */
	struct post	 posts[FAKE_MAX_POSTS];
	struct post	*pp[FAKE_MAX_POSTS];
	struct tag	 tags[FAKE_MAX_TAGS];
	struct tag	*tp[FAKE_MAX_TAGS];
	struct post	*tag_posts[FAKE_MAX_TAGS][FAKE_MAX_POSTS];
};

static inline void
fake_init(struct fake_store *f)
{
	memset(f, 0, sizeof(*f));
	arena_init(&f->st.arena);
	f->st.settings.title = "Test capsule";
	f->st.settings.description = "A description & more";
	f->st.settings.lang = "en";
	f->st.settings.author = "Tester";
	f->st.settings.hostnames[0] = "example.org";
	f->st.settings.nhostnames = 1;
	f->st.site.host = "example.org";
	f->st.site.gemini_port = 1965;
	f->st.site.gopher_port = 70;
	f->st.posts = f->pp;
	f->st.tags = f->tp;
	f->st.tags_by_slug = f->tp;
}

static inline struct tag *
fake_tag(struct fake_store *f, const char *name)
{
	struct tag *t;
	size_t i;

	for (i = 0; i < f->st.ntags; i++)
		if (strcmp(f->tags[i].name, name) == 0)
			return &f->tags[i];
	t = &f->tags[f->st.ntags];
	t->name = name;
	t->slug = arena_strdup(&f->st.arena, name);
	store_tag_slug(name, (char *)t->slug, strlen(name) + 1);
	t->posts = f->tag_posts[f->st.ntags];
	t->index = f->st.ntags;
	f->tp[f->st.ntags++] = t;
	return t;
}

/*
 * Adds a post; call them newest first, as the store orders them. tags is
 * a comma-separated list ("" for none).
 */
static inline struct post *
fake_post(struct fake_store *f, const char *slug, const char *date,
    const char *title, const char *tags, const char *body)
{
	struct post *p = &f->posts[f->st.nposts];
	char *list, *s, *comma;
	size_t n = 0;

	p->slug = slug;
	p->date = date;
	p->title = title;
	p->author = "";
	p->body = body;
	p->body_len = strlen(body);
	p->index = f->st.nposts;
	p->tags = arena_alloc(&f->st.arena, 8 * sizeof(*p->tags));
	p->tagp = arena_alloc(&f->st.arena, 8 * sizeof(*p->tagp));
	list = arena_strdup(&f->st.arena, tags);
	for (s = list; *s != '\0' && n < 8; s = comma + 1) {
		if ((comma = strchr(s, ',')) != NULL)
			*comma = '\0';
		p->tags[n] = s;
		p->tagp[n] = fake_tag(f, s);
		p->tagp[n]->posts[p->tagp[n]->nposts++] = p;
		n++;
		if (comma == NULL)
			break;
	}
	p->ntags = n;
	f->pp[f->st.nposts++] = p;
	return p;
}

static inline void
fake_free(struct fake_store *f)
{
	search_free(f->idx);
	arena_free(&f->st.arena);
}

#endif
