/* webhook output: each alert is POSTed as Falco's JSON (Content-Type
 * application/json), as Falcosidekick and similar receivers expect. A
 * failure (no connection, timeout, a status other than 2xx) is retried
 * with backoff, then the alert is dropped and counted. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "output/sinks.h"

struct webhook_state {
	CURL *curl; /* one handle: it keeps the connection alive */
	struct curl_slist *headers;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The response body is not needed. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* A stalled receiver must not hold vigil's exit beyond the drain time. */
static int progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return vg_out_aborting(ctx) ? 1 : 0;
}

static int webhook_open(struct vg_out *o, char *err, size_t errlen)
{
	struct webhook_state *w = calloc(1, sizeof(*w));
	const struct vg_output_conf *c = o->conf;
	struct curl_slist *h;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	o->state = w;
	pthread_once(&curl_once, curl_init);
	if (curl_init_result != CURLE_OK || !(w->curl = curl_easy_init())) {
		snprintf(err, errlen, "libcurl did not initialise");
		return -EIO;
	}
	h = curl_slist_append(NULL, "Content-Type: application/json");
	for (unsigned i = 0; h && i < c->nheaders; i++)
		h = curl_slist_append(h, c->headers[i]);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->headers = h;
	curl_easy_setopt(w->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, w->headers);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(w->curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(w->curl, CURLOPT_XFERINFODATA, o);
	curl_easy_setopt(w->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(w->curl, CURLOPT_USERAGENT, "vigil");
	if (c->ca_file)
		curl_easy_setopt(w->curl, CURLOPT_CAINFO, c->ca_file);
	if (c->cert) {
		curl_easy_setopt(w->curl, CURLOPT_SSLCERT, c->cert);
		curl_easy_setopt(w->curl, CURLOPT_SSLKEY, c->key);
	}
	if (c->insecure) {
		curl_easy_setopt(w->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(w->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

/* One POST; true when the receiver answered 2xx, else why says why (the
 * transfer's error or the HTTP status). */
static bool post(struct webhook_state *w, const struct vg_out_msg *m, char *why, size_t whylen)
{
	long status = 0;
	CURLcode rc;

	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, m->json);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->json_len);
	rc = curl_easy_perform(w->curl);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
		return false;
	}
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status >= 300) {
		snprintf(why, whylen, "HTTP %ld", status);
		return false;
	}
	return true;
}

static void webhook_send(struct vg_out *o, const struct vg_out_msg *m)
{
	struct webhook_state *w = o->state;
	uint64_t backoff = 0;
	char why[200];

	for (uint64_t attempt = 0; !vg_out_aborting(o); attempt++) {
		if (attempt) {
			vg_out_retry(o);
			backoff = vg_out_backoff_next(o->conf, backoff);
			if (vg_out_sleep(o, backoff))
				break;
		}
		if (post(w, m, why, sizeof(why))) {
			vg_out_sent(o, 1);
			return;
		}
		vg_out_fail(o, "%s", why);
		if (attempt >= o->conf->retries)
			break;
	}
	vg_out_lost(o, 1);
}

static void webhook_close(struct vg_out *o)
{
	struct webhook_state *w = o->state;

	if (!w)
		return;
	if (w->curl)
		curl_easy_cleanup(w->curl);
	curl_slist_free_all(w->headers);
	free(w);
	o->state = NULL;
}

const struct vg_out_sink vg_sink_webhook = {
	.open = webhook_open,
	.send = webhook_send,
	.close = webhook_close,
};
