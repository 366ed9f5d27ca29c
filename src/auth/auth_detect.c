/* Failures are followed per key: the user ("user"), and where the attempt
 * came from: the remote host ("rhost"), or the service when there is no
 * remote host ("service"). Each key keeps the times of its last N failures
 * in a ring; N of them within T seconds is a burst. A burst raises one
 * "Password brute force" alert and lasts until T seconds pass without a
 * failure for that key, so a long attack is one alert, not one per guess.
 * A success for a key with N failures in the window raises "Login after
 * failures" and forgets the key's failures (the burst is over). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_detect.h"
#include "util/macros.h"

#define NS_PER_S NSEC_PER_SEC

enum key_kind { KEY_USER, KEY_RHOST, KEY_SERVICE };
static const char *const key_kind_names[] = { "user", "rhost", "service" };

struct fail_key {
	enum key_kind kind;
	char name[AUTH_EV_RHOST_LEN];
	uint64_t *times; /* ring of the last N failure times (mono ns) */
	unsigned head;	 /* next slot to write */
	unsigned count;	 /* valid slots, <= N */
	uint64_t last_ns;
	bool in_burst;
	bool used;
};

struct vg_auth_detect {
	struct vg_auth_detect_opts o;
	uint64_t window_ns;
	struct fail_key *keys;
	size_t nkeys; /* slots in use */
	struct vg_auth_alert out;
};

static const char *const result_names[] = {
	"success",
	"open_err",
	"symbol_err",
	"service_err",
	"system_err",
	"buf_err",
	"perm_denied",
	"auth_err",
	"cred_insufficient",
	"authinfo_unavail",
	"user_unknown",
	"maxtries",
	"new_authtok_reqd",
	"acct_expired",
	"session_err",
	"cred_unavail",
	"cred_expired",
	"cred_err",
	"no_module_data",
	"conv_err",
	"authtok_err",
	"authtok_recovery_err",
	"authtok_lock_busy",
	"authtok_disable_aging",
	"try_again",
	"ignore",
	"abort",
	"authtok_expired",
	"module_unknown",
	"bad_item",
	"conv_again",
	"incomplete",
};
#define PAM_NEW_AUTHTOK_REQD 12
#define PAM_CONV_AGAIN 30
#define PAM_INCOMPLETE 31

const char *vg_pam_result_name(int code, char *buf, size_t size)
{
	if (code >= 0 && (size_t)code < ARRAY_SIZE(result_names))
		return result_names[code];
	snprintf(buf, size, "pam_error_%d", code);
	return buf;
}

const char *vg_auth_kind_name(int kind)
{
	switch (kind) {
	case AUTH_EV_AUTHENTICATE: return "pam_authenticate";
	case AUTH_EV_ACCT_MGMT: return "pam_acct_mgmt";
	case AUTH_EV_OPEN_SESSION: return "pam_open_session";
	case AUTH_EV_CLOSE_SESSION: return "pam_close_session";
	default: return NULL;
	}
}

/* A refused password or user (pam_authenticate), or a refused account
 * (pam_acct_mgmt; a password that must be changed is not a refusal). The
 * "call me again" codes of event-driven applications are not failures. */
bool vg_auth_is_failure(int kind, int result)
{
	if (result == 0 || result == PAM_INCOMPLETE || result == PAM_CONV_AGAIN)
		return false;
	if (kind == AUTH_EV_AUTHENTICATE)
		return true;
	return kind == AUTH_EV_ACCT_MGMT && result != PAM_NEW_AUTHTOK_REQD;
}

int vg_auth_detect_new(struct vg_auth_detect **out, const struct vg_auth_detect_opts *o)
{
	struct vg_auth_detect *d;

	*out = NULL;
	if (o->failures < 1 || o->failures > VG_AUTH_FAILURES_MAX || o->window_s < 1 ||
	    o->window_s > VG_AUTH_WINDOW_MAX_S || o->max_keys < 1)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->o = *o;
	d->window_ns = o->window_s * NS_PER_S;
	d->keys = calloc(o->max_keys, sizeof(*d->keys));
	if (!d->keys) {
		free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

void vg_auth_detect_free(struct vg_auth_detect *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nkeys; i++)
		free(d->keys[i].times);
	free(d->keys);
	free(d);
}

size_t vg_auth_detect_keys(const struct vg_auth_detect *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nkeys; i++)
		n += d->keys[i].used;
	return n;
}

static struct fail_key *key_find(struct vg_auth_detect *d, enum key_kind kind, const char *name)
{
	for (size_t i = 0; i < d->nkeys; i++)
		if (d->keys[i].used && d->keys[i].kind == kind && !strcmp(d->keys[i].name, name))
			return &d->keys[i];
	return NULL;
}

static void key_reset(struct fail_key *k)
{
	k->head = k->count = 0;
	k->in_burst = false;
}

/* The key, created when missing: in a free slot, else in place of the key
 * whose last failure is the oldest. */
static struct fail_key *key_get(struct vg_auth_detect *d, enum key_kind kind, const char *name)
{
	struct fail_key *k = key_find(d, kind, name), *stalest = NULL;

	if (k)
		return k;
	for (size_t i = 0; i < d->nkeys && !k; i++)
		if (!d->keys[i].used)
			k = &d->keys[i];
	if (!k && d->nkeys < d->o.max_keys)
		k = &d->keys[d->nkeys++];
	if (!k) {
		for (size_t i = 0; i < d->nkeys; i++)
			if (!stalest || d->keys[i].last_ns < stalest->last_ns)
				stalest = &d->keys[i];
		k = stalest;
	}
	if (!k->times) {
		k->times = calloc(d->o.failures, sizeof(*k->times));
		if (!k->times)
			return NULL;
	}
	k->used = true;
	k->kind = kind;
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->last_ns = 0;
	key_reset(k);
	return k;
}

/* Failures of the key within the window ending at now. */
static unsigned key_recent(const struct vg_auth_detect *d, const struct fail_key *k, uint64_t now)
{
	unsigned n = 0;

	for (unsigned i = 0; i < k->count; i++)
		if (now - k->times[i] <= d->window_ns || k->times[i] > now)
			n++;
	return n;
}

/* Records a failure; returns true when it starts a burst. */
static bool key_fail(struct vg_auth_detect *d, struct fail_key *k, uint64_t now)
{
	if (k->in_burst && now - k->last_ns > d->window_ns)
		key_reset(k); /* T seconds of quiet: the burst is over */
	k->times[k->head] = now;
	k->head = (k->head + 1) % d->o.failures;
	if (k->count < d->o.failures)
		k->count++;
	k->last_ns = now;
	if (k->in_burst || key_recent(d, k, now) < d->o.failures)
		return false;
	k->in_burst = true;
	return true;
}

static void add_str(struct vg_fields *f, const char *key, const char *s)
{
	if (f->n >= VG_FIELDS_MAX)
		return;
	if (!s || !s[0])
		f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = VG_KV_NULL };
	else
		f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = VG_KV_STR, .s = s,
						.s_len = strlen(s) };
}

static void add_int(struct vg_fields *f, const char *key, int64_t i)
{
	if (f->n < VG_FIELDS_MAX)
		f->kv[f->n++] = (struct vg_kv){ .key = key, .kind = VG_KV_INT, .i = i };
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* The fields every record and alert carries. */
static void common_fields(struct vg_auth_detect *d, const struct vg_auth_attempt *a,
			  const char *call, const char *result)
{
	struct vg_fields *f = &d->out.fields;

	f->n = 0;
	f->used = 0;
	add_str(f, "evt.type", call);
	add_int(f, "proc.pid", a->pid);
	add_int(f, "thread.tid", a->tid);
	add_int(f, "user.uid", a->uid);
	add_str(f, "proc.name", a->comm);
	add_str(f, "proc.exepath", a->exepath);
	add_str(f, "auth.call", call);
	add_str(f, "auth.service", a->service);
	add_str(f, "auth.user", a->user);
	add_str(f, "auth.ruser", a->ruser);
	add_str(f, "auth.rhost", a->rhost);
	add_str(f, "auth.tty", a->tty);
	add_str(f, "auth.result", result);
	add_int(f, "auth.result_code", a->result);
}

static void emit(struct vg_auth_detect *d, const struct vg_auth_attempt *a, const char *rule,
		 const char *priority, int ntags, vg_alert_fn fn, void *ctx)
{
	d->out.alert = (struct vg_alert){
		.time_ns = a->time_ns,
		.rule = rule,
		.priority = priority,
		.output = d->out.output,
		.fields = &d->out.fields,
		.tags = d->out.tags,
		.ntags = ntags,
		.source = "syscall",
		.hostname = d->o.hostname ? d->o.hostname : "",
	};
	fn(ctx, &d->out.alert);
}

/* "user bob from host 10.0.0.9 (service sshd) by sshd (pid 12, exe ...)" */
static void who(char *buf, size_t size, const struct vg_auth_attempt *a)
{
	snprintf(buf, size,
		 "user=%s service=%s rhost=%s tty=%s ruser=%s by %s (pid %u, exe %s)",
		 or_dash(a->user), or_dash(a->service), or_dash(a->rhost), or_dash(a->tty),
		 or_dash(a->ruser), or_dash(a->comm), a->pid, or_dash(a->exepath));
}

int vg_auth_detect_feed(struct vg_auth_detect *d, const struct vg_auth_attempt *a, bool events,
			vg_alert_fn fn, void *ctx)
{
	const char *call = vg_auth_kind_name(a->kind);
	const char *result = vg_pam_result_name(a->result, d->out.result, sizeof(d->out.result));
	struct fail_key *keys[2] = { NULL, NULL };
	bool burst[2] = { false, false };
	char whom[1024];
	int alerts = 0;

	if (!call)
		return 0;
	common_fields(d, a, call, result);
	if (events) {
		d->out.tags[0] = "authentication";
		vg_format_fields(d->out.output, sizeof(d->out.output), &d->out.fields);
		emit(d, a, call, "Debug", 1, fn, ctx);
	}
	if (a->kind != AUTH_EV_AUTHENTICATE && !vg_auth_is_failure(a->kind, a->result))
		return 0;
	who(whom, sizeof(whom), a);

	if (a->user && a->user[0])
		keys[0] = key_find(d, KEY_USER, a->user);
	if (a->rhost && a->rhost[0])
		keys[1] = key_find(d, KEY_RHOST, a->rhost);
	else if (a->service && a->service[0])
		keys[1] = key_find(d, KEY_SERVICE, a->service);

	if (!vg_auth_is_failure(a->kind, a->result)) {
		/* a success: after a burst of failures for this user or origin? */
		struct fail_key *hit = NULL;
		unsigned n = 0;

		if (a->result != 0)
			return 0; /* incomplete, try again later */
		for (int i = 0; i < 2; i++) {
			unsigned r = keys[i] ? key_recent(d, keys[i], a->mono_ns) : 0;

			if (keys[i] && r >= d->o.failures && r > n) {
				hit = keys[i];
				n = r;
			}
		}
		if (!hit)
			return 0;
		for (int i = 0; i < 2; i++)
			if (keys[i] && key_recent(d, keys[i], a->mono_ns) >= d->o.failures)
				key_reset(keys[i]);
		common_fields(d, a, call, result);
		add_int(&d->out.fields, "auth.failures", n);
		add_int(&d->out.fields, "auth.window", (int64_t)d->o.window_s);
		add_str(&d->out.fields, "auth.burst_key", key_kind_names[hit->kind]);
		snprintf(d->out.output, sizeof(d->out.output),
			 "Login after failures: success after %u failures for %s %s within %llu s "
			 "(%s)",
			 n, key_kind_names[hit->kind], hit->name,
			 (unsigned long long)d->o.window_s, whom);
		d->out.tags[0] = "VG-072";
		d->out.tags[1] = "authentication";
		d->out.tags[2] = "mitre_credential_access";
		d->out.tags[3] = "T1110";
		emit(d, a, "Login after failures", "Warning", 4, fn, ctx);
		return 1;
	}

	/* a failure */
	common_fields(d, a, call, result);
	snprintf(d->out.output, sizeof(d->out.output), "Authentication failure: %s returned %s (%s)",
		 call, result, whom);
	d->out.tags[0] = "VG-070";
	d->out.tags[1] = "authentication";
	emit(d, a, "Authentication failure", "Notice", 2, fn, ctx);
	alerts++;
	if (a->kind != AUTH_EV_AUTHENTICATE)
		return alerts; /* a refused account is not a password guess */

	if (a->user && a->user[0])
		keys[0] = key_get(d, KEY_USER, a->user);
	if (a->rhost && a->rhost[0])
		keys[1] = key_get(d, KEY_RHOST, a->rhost);
	else if (a->service && a->service[0])
		keys[1] = key_get(d, KEY_SERVICE, a->service);
	/* key_get may have evicted the other key's slot for this one */
	if (keys[0] && keys[1] == keys[0])
		keys[0] = NULL;
	for (int i = 0; i < 2; i++)
		burst[i] = keys[i] && key_fail(d, keys[i], a->mono_ns);
	if (burst[0] || burst[1]) {
		/* one alert, even when the user and the origin cross together */
		struct fail_key *k = burst[0] ? keys[0] : keys[1];
		unsigned n = key_recent(d, k, a->mono_ns);

		common_fields(d, a, call, result);
		add_int(&d->out.fields, "auth.failures", n);
		add_int(&d->out.fields, "auth.window", (int64_t)d->o.window_s);
		add_str(&d->out.fields, "auth.burst_key",
			burst[0] && burst[1] ? "user,origin" : key_kind_names[k->kind]);
		snprintf(d->out.output, sizeof(d->out.output),
			 "Password brute force: %u authentication failures for %s %s within %llu s "
			 "(last: %s)",
			 n, key_kind_names[k->kind], k->name, (unsigned long long)d->o.window_s,
			 whom);
		d->out.tags[0] = "VG-071";
		d->out.tags[1] = "authentication";
		d->out.tags[2] = "mitre_credential_access";
		d->out.tags[3] = "T1110";
		emit(d, a, "Password brute force", "Warning", 4, fn, ctx);
		alerts++;
	}
	return alerts;
}
