/*
 * watch.c: the content directory's changes, gathered into bursts. An
 * editor saving a post makes several events (a temporary file, a write,
 * a rename); they are collected by name and handed over once quiet for
 * WATCH_SETTLE_MS, so the store is rebuilt once per save, not per event.
 * Nothing slow runs here: events only add a name to a list.
 *
 * The directory's parent is watched too, for its name only: a content
 * directory replaced by a rename, or a symlink flipped to a new release,
 * is watched again by its name and read in full (inotify, like Landlock,
 * holds an inode, not a name).
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "watch.h"

struct watch {
	uv_fs_event_t	 ev;
	uv_timer_t	 timer;
	int		 started;	/* ev is running */
	int		 closing;
	int		 open;		/* handles not yet closed */
	watch_settled_cb cb;
	void		*arg;
	char		**names;
	size_t		 nnames;
	int		 all;		/* look at every file */
	int		 pending;	/* something to hand over */
	char		*dir;
	uv_poll_t	 parent;	/* the parent's inotify descriptor */
	int		 parent_fd;	/* -1: not watched */
	char		*base;		/* dir's name in its parent */
	int		 settled;
	uint64_t	 first;		/* when the burst began */
};

/* Names the store cares about: posts and its settings file. */
static int
watch_wanted(const char *name)
{
	size_t len = strlen(name);

	if (strcmp(name, STORE_SETTINGS_FILE) == 0)
		return 1;
	return name[0] != '.' && len >= 5 &&
	    strcmp(name + len - 4, ".txt") == 0;
}

static void
watch_on_timer(uv_timer_t *t)
{
	struct watch *w = t->data;

	w->settled = 1;
	w->cb(w->arg);
}

/* Something changed: wait until it has been quiet for a while. */
static void
watch_touch(struct watch *w)
{
	uint64_t now = uv_now(w->timer.loop), wait = WATCH_SETTLE_MS;

	if (!w->pending)
		w->first = now;
	w->pending = 1;
	w->settled = 0;
	if (now - w->first + WATCH_SETTLE_MS > WATCH_MAX_WAIT_MS)
		wait = now - w->first >= WATCH_MAX_WAIT_MS ? 0 :
		    WATCH_MAX_WAIT_MS - (now - w->first);
	uv_timer_start(&w->timer, watch_on_timer, wait, 0);
}

static void
watch_add(struct watch *w, const char *name)
{
	char **nn;
	size_t i;

	if (w->all)
		return;
	for (i = 0; i < w->nnames; i++)
		if (strcmp(w->names[i], name) == 0)
			return;
	if (w->nnames == WATCH_MAX_NAMES ||
	    (nn = realloc(w->names, (w->nnames + 1) * sizeof(*nn))) == NULL) {
		watch_free_names(w->names, w->nnames);
		w->names = NULL;
		w->nnames = 0;
		w->all = 1;
		return;
	}
	w->names = nn;
	if ((w->names[w->nnames] = strdup(name)) == NULL) {
		w->all = 1;
		return;
	}
	w->nnames++;
}

static void watch_all(struct watch *);

static void
watch_on_change(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct watch *w = h->data;

	(void)events;
	if (w->closing)
		return;
	/* No name, or an error (events lost): look at everything. */
	if (status < 0 || name == NULL)
		watch_all(w);
	else if (watch_wanted(name)) {
		watch_add(w, name);
		watch_touch(w);
	}
}

/*
 * The parent directory changed: when an entry of dir's name was made or
 * renamed into place, dir is another directory now.
 */
static void
watch_on_parent(uv_poll_t *h, int status, int events)
{
	struct watch *w = h->data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t off;
	int rounds, hit = 0;

	(void)events;
	if (w->closing)
		return;
	if (status < 0)
		hit = 1;
	/* Bounded work per wakeup; what is left wakes the loop again. */
	for (rounds = 0; rounds < WATCH_PARENT_READS; rounds++) {
		if ((n = read(w->parent_fd, buf, sizeof(buf))) <= 0)
			break;
		for (off = 0; off + sizeof(*ev) <= (size_t)n;
		    off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			if ((ev->mask & IN_Q_OVERFLOW) || (ev->len > 0 &&
			    strcmp(ev->name, w->base) == 0))
				hit = 1;
		}
	}
	if (hit)
		watch_rescan(w);
}

/* Watches dir's parent for dir's name; nothing when it has none. */
static void
watch_parent(struct watch *w, uv_loop_t *loop)
{
	char *parent, *slash;
	size_t len = strlen(w->dir);

	w->parent_fd = -1;
	while (len > 1 && w->dir[len - 1] == '/')
		len--;
	if ((parent = strndup(w->dir, len)) == NULL)
		return;
	slash = strrchr(parent, '/');
	w->base = strdup(slash != NULL ? slash + 1 : parent);
	if (slash == parent)
		parent[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(parent, ".");
	if (w->base == NULL || w->base[0] == '\0' ||
	    strcmp(w->base, ".") == 0 || strcmp(w->base, "..") == 0 ||
	    (w->parent_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(w->parent_fd, parent, IN_CREATE | IN_MOVED_TO |
	    IN_ONLYDIR) == -1 ||
	    uv_poll_init(loop, &w->parent, w->parent_fd) != 0) {
		if (w->parent_fd != -1)
			close(w->parent_fd);
		w->parent_fd = -1;
		free(parent);
		return;
	}
	free(parent);
	w->parent.data = w;
	w->open++;
	uv_poll_start(&w->parent, UV_READABLE, watch_on_parent);
}

struct watch *
watch_start(uv_loop_t *loop, const char *dir, watch_settled_cb cb, void *arg,
    int *err)
{
	struct watch *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		*err = UV_ENOMEM;
		return NULL;
	}
	w->cb = cb;
	w->arg = arg;
	if ((w->dir = strdup(dir)) == NULL) {
		free(w);
		*err = UV_ENOMEM;
		return NULL;
	}
	uv_timer_init(loop, &w->timer);
	w->timer.data = w;
	w->open = 1;
	uv_fs_event_init(loop, &w->ev);
	w->ev.data = w;
	w->open++;
	*err = 0;
	if ((rc = uv_fs_event_start(&w->ev, watch_on_change, dir, 0)) != 0)
		*err = rc;
	else
		w->started = 1;
	watch_parent(w, loop);
	return w;
}

/* Every file must be looked at. */
static void
watch_all(struct watch *w)
{
	watch_free_names(w->names, w->nnames);
	w->names = NULL;
	w->nnames = 0;
	w->all = 1;
	watch_touch(w);
}

void
watch_rescan(struct watch *w)
{
	if (w->closing)
		return;
	/* The directory may have been replaced: watch it by its name again. */
	if (w->started)
		uv_fs_event_stop(&w->ev);
	w->started = uv_fs_event_start(&w->ev, watch_on_change, w->dir, 0) ==
	    0;
	watch_all(w);
}

int
watch_take(struct watch *w, char ***names, size_t *n)
{
	if (!w->pending || !w->settled || w->closing)
		return 0;
	*names = w->all ? NULL : w->names;
	*n = w->all ? 0 : w->nnames;
	if (w->all)
		watch_free_names(w->names, w->nnames);
	w->names = NULL;
	w->nnames = 0;
	w->all = 0;
	w->pending = 0;
	return 1;
}

void
watch_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

static void
watch_on_close(uv_handle_t *h)
{
	struct watch *w = h->data;

	if (--w->open == 0) {
		watch_free_names(w->names, w->nnames);
		if (w->parent_fd != -1)
			close(w->parent_fd);
		free(w->base);
		free(w->dir);
		free(w);
	}
}

void
watch_stop(struct watch *w)
{
	if (w == NULL || w->closing)
		return;
	w->closing = 1;
	uv_close((uv_handle_t *)&w->timer, watch_on_close);
	uv_close((uv_handle_t *)&w->ev, watch_on_close);
	if (w->parent_fd != -1)
		uv_close((uv_handle_t *)&w->parent, watch_on_close);
}
