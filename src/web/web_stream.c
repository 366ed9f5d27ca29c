/* The dashboard's live feed, server-sent events (see web_stream.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/web_impl.h"
#include "web/web_stream.h"
#include "util/macros.h"

#define NS NSEC_PER_SEC
#define KEEPALIVE_NS (4 * NS) /* below libmicrohttpd's idle limit (CLIENT_TIMEOUT_S) */
#define BLOCK 16384	      /* bytes libmicrohttpd asks for at a time */

/* What a stream can be sent besides alerts: the API's cached answers. */
enum snap { SNAP_OVERVIEW, SNAP_PROCESSES, SNAP_PROFILES, SNAP_BPF, SNAPS };
static const struct {
	const char *event, *path;
	uint64_t check_ns; /* looked at this often (the cache renders them anew less often) */
} snaps[SNAPS] = {
	{ "overview", "/api/overview", 1 * NS },
	{ "processes", "/api/processes", 1 * NS },
	{ "profiles", "/api/profiles", 1 * NS },
	{ "bpf", "/api/bpf", 2 * NS },
};

struct buf {
	char *p;
	size_t len, cap;
};

struct stream {
	struct vg_web_streams *owner;
	int used, ended;
	int snap_turn;	    /* the last refill took a snapshot first */
	unsigned want;	    /* bit per enum snap */
	uint64_t opened_ns; /* monotonic */
	uint64_t queued_ns; /* when something was last queued (keep-alives) */
	struct buf out;	    /* being sent, from out_off */
	size_t out_off;
	struct buf queue;	      /* alert events waiting */
	struct buf snap[SNAPS];	      /* the newest snapshot event not sent yet */
	uint64_t sent_hash[SNAPS];    /* of the last snapshot queued: unchanged is not resent */
};

struct vg_web_streams {
	struct vg_web *w; /* its counters: open, cut */
	struct stream s[VG_WEB_STREAMS];
	uint64_t next_check[SNAPS];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h | 1; /* 0 means "nothing sent yet" */
}

static void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){ 0 };
}

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

/* One event: "id:" (alerts), "event:", and the text as "data:" lines (the
 * JSON is on one line; a newline in it would start a new data line). */
static int event_add(struct buf *b, uint64_t id, const char *event, const char *text)
{
	char head[96];
	int n = id ? snprintf(head, sizeof(head), "id: %llu\nevent: %s\n", (unsigned long long)id,
			      event)
		   : snprintf(head, sizeof(head), "event: %s\n", event);

	if (buf_add(b, head, (size_t)n))
		return -1;
	while (*text) {
		size_t line = strcspn(text, "\r\n");

		if (buf_add(b, "data: ", 6) || buf_add(b, text, line) || buf_add(b, "\n", 1))
			return -1;
		text += line;
		text += strspn(text, "\r\n");
	}
	return buf_add(b, "\n", 1);
}

static void end(struct stream *st)
{
	if (!st->ended)
		st->owner->w->streams_cut++;
	st->ended = 1;
	buf_free(&st->queue);
	for (int k = 0; k < SNAPS; k++)
		buf_free(&st->snap[k]);
}

static int take_alerts(struct stream *st)
{
	if (!st->queue.len)
		return 0;
	st->out = st->queue;
	st->queue = (struct buf){ 0 };
	return 1;
}

static int take_snapshot(struct stream *st)
{
	for (int k = 0; k < SNAPS; k++)
		if (st->snap[k].len) {
			st->out = st->snap[k];
			st->snap[k] = (struct buf){ 0 };
			return 1;
		}
	return 0;
}

/* What to send next: the alerts waiting and the snapshots by turns, so
 * that a storm of alerts does not hold the overview back, nor the reverse. */
static void refill(struct stream *st)
{
	buf_free(&st->out);
	st->out_off = 0;
	st->snap_turn = !st->snap_turn;
	if (st->snap_turn ? !take_snapshot(st) : !take_alerts(st))
		(void)(st->snap_turn ? take_alerts(st) : take_snapshot(st));
}

/* libmicrohttpd asks for more to send: hands over what is queued, or 0
 * ("nothing now"), and is asked again at the loop's next turn. */
static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *st = cls;
	size_t n;

	(void)pos;
	if (st->ended)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (st->out_off == st->out.len) {
		/* between two events: a stream that had its time ends (the
		 * browser opens a new one and catches up from the API) */
		if (mono_ns() - st->opened_ns >= VG_WEB_STREAM_S * NS)
			return MHD_CONTENT_READER_END_OF_STREAM;
		refill(st);
	}
	if (st->out_off == st->out.len)
		return 0; /* nothing now: asked again at the loop's next turn */
	n = st->out.len - st->out_off;
	if (n > max)
		n = max;
	memcpy(out, st->out.p + st->out_off, n);
	st->out_off += n;
	return (ssize_t)n;
}

/* The connection is gone (its response is freed): the slot is free. */
static void release(void *cls)
{
	struct stream *st = cls;
	struct vg_web_streams *owner = st->owner;

	buf_free(&st->out);
	buf_free(&st->queue);
	for (int k = 0; k < SNAPS; k++)
		buf_free(&st->snap[k]);
	*st = (struct stream){ 0 };
	owner->w->streams_open--;
}

/* The newest text of snapshot k for st, unless st already has it. */
static void offer(struct stream *st, int k, const char *text, uint64_t hash, uint64_t now)
{
	if (st->ended || !(st->want & (1u << k)) || st->sent_hash[k] == hash)
		return;
	st->snap[k].len = 0; /* a snapshot not sent yet is replaced */
	if (event_add(&st->snap[k], 0, snaps[k].event, text)) {
		end(st);
		return;
	}
	st->sent_hash[k] = hash;
	st->queued_ns = now;
}

static unsigned wanted(const char *view)
{
	unsigned want = 1u << SNAP_OVERVIEW; /* the header and the overview */

	if (!view)
		return want;
	if (!strcmp(view, "processes"))
		want |= 1u << SNAP_PROCESSES;
	else if (!strcmp(view, "profiles") || !strcmp(view, "profile"))
		want |= 1u << SNAP_PROFILES;
	else if (!strcmp(view, "bpf"))
		want |= 1u << SNAP_BPF;
	return want;
}

enum MHD_Result vg_web_stream_open(struct vg_web *w, struct MHD_Connection *c)
{
	struct vg_web_streams *all = w->streams;
	struct stream *st = NULL;
	struct MHD_Response *r;
	enum MHD_Result ret;
	uint64_t now = mono_ns();

	for (unsigned i = 0; all && i < VG_WEB_STREAMS && !st; i++)
		if (!all->s[i].used)
			st = &all->s[i];
	if (!st) {
		static const char busy[] = "{\"error\":\"too many live streams: poll the API\"}";

		r = MHD_create_response_from_buffer(sizeof(busy) - 1, (void *)busy,
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		vg_web_add_headers(r, "application/json");
		ret = MHD_queue_response(c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
		MHD_destroy_response(r);
		return ret;
	}
	/* snap_turn 1: the first refill takes the queue, with the hello */
	*st = (struct stream){ .owner = all, .used = 1, .snap_turn = 1, .opened_ns = now,
			       .queued_ns = now };
	st->want = wanted(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "view"));
	w->streams_open++;
	/* reconnect after 2 s when the stream ends; the last alert id, from
	 * which the page catches up what it missed meanwhile */
	{
		char hello[96];

		snprintf(hello, sizeof(hello), "retry: 2000\nevent: hello\ndata: {\"last_id\":%llu}\n\n",
			 (unsigned long long)(w->alerts.next_id - 1));
		buf_add(&st->queue, hello, strlen(hello));
	}
	for (int k = 0; k < SNAPS; k++) { /* what the view shows, at once */
		const char *text = (st->want & (1u << k)) ? vg_web_api_cached(w, snaps[k].path) : NULL;

		if (text)
			offer(st, k, text, fnv1a(text), now);
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK, reader, st, release);
	if (!r) {
		release(st);
		return MHD_NO;
	}
	vg_web_add_headers(r, "text/event-stream");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r); /* released with the connection (release()) */
	return ret;
}

void vg_web_streams_alert(struct vg_web *w, uint64_t id)
{
	const struct vg_web_alert *a = vg_web_alerts_get(&w->alerts, id);
	uint64_t now;

	if (!a || !w->streams || !w->streams_open)
		return;
	now = mono_ns();
	for (unsigned i = 0; i < VG_WEB_STREAMS; i++) {
		struct stream *st = &w->streams->s[i];

		if (!st->used || st->ended)
			continue;
		/* a client that does not read: its stream ends (the page
		 * reconnects and fetches what it missed), the monitor never waits */
		if (st->queue.len + strlen(a->json) > VG_WEB_STREAM_QUEUE ||
		    event_add(&st->queue, id, "alert", a->json)) {
			end(st);
			continue;
		}
		st->queued_ns = now;
	}
}

void vg_web_streams_tick(struct vg_web *w, uint64_t now)
{
	struct vg_web_streams *all = w->streams;
	unsigned want = 0;

	if (!all || !w->streams_open)
		return;
	for (unsigned i = 0; i < VG_WEB_STREAMS; i++)
		if (all->s[i].used && !all->s[i].ended)
			want |= all->s[i].want;
	for (int k = 0; k < SNAPS; k++) {
		const char *text;
		uint64_t hash;

		if (!(want & (1u << k)) || now < all->next_check[k])
			continue;
		all->next_check[k] = now + snaps[k].check_ns;
		text = vg_web_api_cached(w, snaps[k].path);
		if (!text)
			continue;
		hash = fnv1a(text);
		for (unsigned i = 0; i < VG_WEB_STREAMS; i++)
			if (all->s[i].used)
				offer(&all->s[i], k, text, hash, now);
	}
	for (unsigned i = 0; i < VG_WEB_STREAMS; i++) {
		struct stream *st = &all->s[i];

		if (st->used && !st->ended && now - st->queued_ns >= KEEPALIVE_NS) {
			if (buf_add(&st->queue, ": keep-alive\n\n", 14))
				end(st);
			st->queued_ns = now;
		}
	}
}

struct vg_web_streams *vg_web_streams_new(struct vg_web *w)
{
	struct vg_web_streams *s = calloc(1, sizeof(*s));

	if (s)
		s->w = w;
	return s;
}

void vg_web_streams_free(struct vg_web_streams *s)
{
	free(s); /* the streams themselves went with their connections */
}
