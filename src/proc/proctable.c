/* The process table: a fixed array of slots, an open-addressing hash from pid
 * to slot, an LRU list of live slots and a FIFO of exited ones.
 * See proctable.h for the design. */
#include "proc/proctable.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/event.h"

#define NIL UINT32_MAX
#define PT_MIN 16
#define PT_MAX (1u << 22)

enum slot_state { SLOT_FREE, SLOT_LIVE, SLOT_EXITED };

/* The list links of slot i, kept apart from procs[i]: moving an entry to
 * the head of the LRU list then touches 16-byte nodes (a megabyte for the
 * largest table, mostly in cache) instead of three whole entries. */
struct node {
	uint32_t prev, next; /* LRU list (live), FIFO (exited), free list (next) */
	uint32_t stamp;	     /* pt->tick when last put at the head of the LRU list */
	uint32_t state;	     /* enum slot_state */
};

/* Doubly linked through slot indices; head = most recent. */
struct list {
	uint32_t head, tail;
};

struct hent {
	uint32_t pid;
	uint32_t slot; /* NIL: empty */
};

struct vg_proctable {
	struct vg_proc *procs; /* slot i */
	struct node *nodes;    /* slot i's links */
	uint32_t max;
	struct hent *hash;
	uint32_t hmask;
	unsigned hshift;
	uint32_t free_head;
	struct list lru;    /* live: head used most recently, tail evicted first */
	struct list exited; /* exited: head exited first */
	uint32_t nlive, nexited;
	uint32_t tick;	 /* counts moves to the LRU head */
	uint32_t window; /* an entry moved fewer ticks ago than this stays put */
	uint64_t grace_ns;
	struct vg_cgmap *cgmap;
	struct vg_pt_stats st;
};

/* ---- hash: pid -> slot ---- */

static uint32_t home(const struct vg_proctable *pt, uint32_t pid)
{
	return (uint32_t)((pid * 2654435761u) >> pt->hshift) & pt->hmask;
}

static uint32_t find(const struct vg_proctable *pt, uint32_t pid)
{
	for (uint32_t i = home(pt, pid);; i = (i + 1) & pt->hmask) {
		const struct hent *h = &pt->hash[i];
		if (h->slot == NIL || h->pid == pid)
			return h->slot;
	}
}

static void hash_insert(struct vg_proctable *pt, uint32_t pid, uint32_t slot)
{
	uint32_t i = home(pt, pid);

	while (pt->hash[i].slot != NIL)
		i = (i + 1) & pt->hmask;
	pt->hash[i].pid = pid;
	pt->hash[i].slot = slot;
}

/* Backward-shift deletion: keeps every probe chain unbroken without
 * tombstones, so lookups never slow down with churn. */
static void hash_remove(struct vg_proctable *pt, uint32_t pid)
{
	uint32_t i = home(pt, pid);

	while (pt->hash[i].slot != NIL && pt->hash[i].pid != pid)
		i = (i + 1) & pt->hmask;
	if (pt->hash[i].slot == NIL)
		return;
	for (uint32_t j = (i + 1) & pt->hmask; pt->hash[j].slot != NIL; j = (j + 1) & pt->hmask) {
		uint32_t k = home(pt, pt->hash[j].pid);
		/* move j into the hole unless its home lies in (i, j] */
		if (((j - k) & pt->hmask) >= ((j - i) & pt->hmask)) {
			pt->hash[i] = pt->hash[j];
			i = j;
		}
	}
	pt->hash[i].slot = NIL;
}

/* ---- slot lists ---- */

static void list_unlink(struct vg_proctable *pt, struct list *l, uint32_t idx)
{
	struct node *n = &pt->nodes[idx];

	if (n->prev != NIL)
		pt->nodes[n->prev].next = n->next;
	else
		l->head = n->next;
	if (n->next != NIL)
		pt->nodes[n->next].prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NIL;
}

static void list_push_head(struct vg_proctable *pt, struct list *l, uint32_t idx)
{
	struct node *n = &pt->nodes[idx];

	n->prev = NIL;
	n->next = l->head;
	if (l->head != NIL)
		pt->nodes[l->head].prev = idx;
	else
		l->tail = idx;
	l->head = idx;
}

static void list_push_tail(struct vg_proctable *pt, struct list *l, uint32_t idx)
{
	struct node *n = &pt->nodes[idx];

	n->next = NIL;
	n->prev = l->tail;
	if (l->tail != NIL)
		pt->nodes[l->tail].next = idx;
	else
		l->head = idx;
	l->tail = idx;
}

static void lru_to_head(struct vg_proctable *pt, uint32_t idx)
{
	list_push_head(pt, &pt->lru, idx);
	pt->nodes[idx].stamp = ++pt->tick;
}

/* Marks a slot used. Moving it to the head of the LRU list touches three
 * other nodes, so an entry moved recently (fewer than `window` moves ago,
 * which keeps it in the front quarter of the list) stays where it is: the
 * common case of many events from the same few processes costs a compare. */
static void touch(struct vg_proctable *pt, uint32_t idx)
{
	const struct node *n = &pt->nodes[idx];

	if (n->state != SLOT_LIVE || pt->tick - n->stamp < pt->window)
		return;
	list_unlink(pt, &pt->lru, idx);
	lru_to_head(pt, idx);
}

static void proc_init(struct vg_proc *p, uint32_t pid)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->loginuid = VG_LOGINUID_UNSET;
	p->sid = VG_SID_UNKNOWN;
	p->pgid = VG_PGID_UNKNOWN;
	p->img = &vg_image_empty;
}

/* Takes a used slot off its list. */
static void slot_unlink(struct vg_proctable *pt, uint32_t idx)
{
	if (pt->nodes[idx].state == SLOT_EXITED) {
		list_unlink(pt, &pt->exited, idx);
		pt->nexited--;
	} else {
		list_unlink(pt, &pt->lru, idx);
		pt->nlive--;
	}
}

/* Empties a slot's contents but keeps it in the hash: for reuse in place. */
static struct vg_proc *slot_clear(struct vg_proctable *pt, uint32_t idx, uint32_t pid)
{
	vg_image_put(pt->procs[idx].img);
	slot_unlink(pt, idx);
	proc_init(&pt->procs[idx], pid);
	pt->nodes[idx].state = SLOT_LIVE;
	pt->nlive++;
	lru_to_head(pt, idx);
	return &pt->procs[idx];
}

static void slot_release(struct vg_proctable *pt, uint32_t idx)
{
	struct vg_proc *p = &pt->procs[idx];

	hash_remove(pt, p->pid);
	vg_image_put(p->img);
	p->img = &vg_image_empty;
	slot_unlink(pt, idx);
	pt->nodes[idx].state = SLOT_FREE;
	pt->nodes[idx].next = pt->free_head;
	pt->free_head = idx;
}

/* The oldest exit, else the least recently used live entry; never keep. */
static uint32_t pick_victim(struct vg_proctable *pt, uint32_t keep)
{
	uint32_t v = pt->exited.head;

	if (v != NIL && v == keep)
		v = pt->nodes[v].next;
	if (v != NIL) {
		pt->st.evicted_exited++;
		return v;
	}
	v = pt->lru.tail;
	if (v != NIL && v == keep)
		v = pt->nodes[v].prev;
	if (v != NIL)
		pt->st.evicted_live++;
	return v;
}

/* A fresh live slot for pid (not in the table yet). keep: a slot that must
 * survive (the parent of a fork). */
static struct vg_proc *slot_insert(struct vg_proctable *pt, uint32_t pid, uint32_t keep)
{
	uint32_t idx = pt->free_head;

	if (idx == NIL) {
		idx = pick_victim(pt, keep);
		if (idx == NIL)
			return NULL;
		slot_release(pt, idx);
	}
	pt->free_head = pt->nodes[idx].next;
	proc_init(&pt->procs[idx], pid);
	pt->nodes[idx].state = SLOT_LIVE;
	pt->nlive++;
	lru_to_head(pt, idx);
	hash_insert(pt, pid, idx);
	pt->st.inserted++;
	return &pt->procs[idx];
}

/* ---- table ---- */

int vg_pt_new(struct vg_proctable **out, size_t max_entries, uint64_t exit_grace_ns)
{
	struct vg_proctable *pt;
	uint32_t cap = 32;

	*out = NULL;
	if (max_entries == 0)
		max_entries = VG_PT_DEFAULT_MAX;
	if (max_entries < PT_MIN)
		max_entries = PT_MIN;
	if (max_entries > PT_MAX)
		max_entries = PT_MAX;

	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->max = (uint32_t)max_entries;
	while (cap < 2 * pt->max)
		cap <<= 1;
	pt->hmask = cap - 1;
	pt->hshift = 32 - (unsigned)__builtin_ctz(cap);
	pt->grace_ns = exit_grace_ns;
	pt->procs = calloc(pt->max, sizeof(*pt->procs));
	pt->nodes = calloc(pt->max, sizeof(*pt->nodes));
	pt->hash = malloc(cap * sizeof(*pt->hash));
	if (!pt->procs || !pt->nodes || !pt->hash) {
		vg_pt_free(pt);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cap; i++)
		pt->hash[i].slot = NIL;
	for (uint32_t i = 0; i < pt->max; i++) {
		pt->procs[i].img = &vg_image_empty;
		pt->nodes[i].next = i + 1 < pt->max ? i + 1 : NIL;
	}
	pt->free_head = 0;
	pt->lru.head = pt->lru.tail = NIL;
	pt->exited.head = pt->exited.tail = NIL;
	pt->window = pt->max / 4;
	*out = pt;
	return 0;
}

void vg_pt_free(struct vg_proctable *pt)
{
	if (!pt)
		return;
	if (pt->procs)
		for (uint32_t i = 0; i < pt->max; i++)
			vg_image_put(pt->procs[i].img);
	free(pt->procs);
	free(pt->nodes);
	free(pt->hash);
	free(pt);
}

void vg_pt_set_cgmap(struct vg_proctable *pt, struct vg_cgmap *cgmap)
{
	pt->cgmap = cgmap;
}

struct vg_proc *vg_pt_lookup(struct vg_proctable *pt, uint32_t pid)
{
	uint32_t idx = find(pt, pid);

	if (idx == NIL)
		return NULL;
	touch(pt, idx);
	return &pt->procs[idx];
}

/* A cgroup the cgmap could not look up yet (rate limited) is retried on a
 * later event; one it does not know leaves the container as it was. */
static void set_cgroup(struct vg_proctable *pt, struct vg_proc *p, uint64_t id)
{
	const struct vg_cgroup_info *info;

	p->cgroup_id = id;
	p->flags &= ~VG_PROC_CGROUP_PENDING;
	if (!pt->cgmap || id == 0)
		return;
	int r = vg_cgmap_lookup(pt->cgmap, id, &info);
	if (r == 0)
		p->container = info->container;
	else if (r == -EAGAIN)
		p->flags |= VG_PROC_CGROUP_PENDING;
}

static void set_comm(struct vg_proc *p, const char *comm, size_t max)
{
	size_t n = strnlen(comm, max < VG_COMM_LEN - 1 ? max : VG_COMM_LEN - 1);
	memcpy(p->comm, comm, n);
	memset(p->comm + n, 0, VG_COMM_LEN - n);
}

struct vg_proc *vg_pt_resolve(struct vg_proctable *pt, const struct vg_hdr *hdr)
{
	uint32_t idx;
	struct vg_proc *p;

	if (hdr->pid == 0)
		return NULL;
	idx = find(pt, hdr->pid);
	if (idx == NIL) {
		p = slot_insert(pt, hdr->pid, NIL);
		if (!p)
			return NULL;
		/* the header has no effective ids; the real ones are the best guess */
		p->euid = hdr->uid;
		p->egid = hdr->gid;
		set_comm(p, hdr->comm, sizeof(hdr->comm));
		set_cgroup(pt, p, hdr->cgroup_id);
	} else {
		touch(pt, idx);
		p = &pt->procs[idx];
		if (hdr->cgroup_id != p->cgroup_id || (p->flags & VG_PROC_CGROUP_PENDING))
			set_cgroup(pt, p, hdr->cgroup_id);
	}
	if (hdr->ppid)
		p->ppid = hdr->ppid;
	p->uid = hdr->uid;
	p->gid = hdr->gid;
	return p;
}

struct vg_proc *vg_pt_on_fork(struct vg_proctable *pt, uint32_t parent_pid, uint32_t child_pid,
			      uint64_t start_ns)
{
	uint32_t pidx, cidx;
	struct vg_proc *c;

	if (child_pid == 0 || child_pid == parent_pid)
		return NULL;
	pidx = parent_pid ? find(pt, parent_pid) : NIL;
	cidx = find(pt, child_pid);
	if (cidx != NIL) {
		c = slot_clear(pt, cidx, child_pid); /* a reused pid: start over */
	} else {
		c = slot_insert(pt, child_pid, pidx);
		if (!c)
			return NULL;
	}
	if (pidx != NIL) {
		const struct vg_proc *par = &pt->procs[pidx];
		touch(pt, pidx);
		*c = *par;
		c->flags &= ~VG_PROC_EXITED;
		c->exit_ns = 0;
		c->exit_code = 0;
		c->img = vg_image_get(par->img);
		c->source = VG_SRC_FORK;
	}
	c->pid = child_pid;
	c->ppid = parent_pid;
	c->start_ns = start_ns;
	return c;
}

void vg_pt_on_setpgid(struct vg_proctable *pt, struct vg_proc *caller, uint32_t pid_arg,
		      uint32_t pgid_arg)
{
	bool host = caller->pid_ns == VG_PID_NS_HOST;
	struct vg_proc *target = caller;
	uint32_t idx;

	if (pid_arg != 0 && pid_arg != caller->pid) {
		if (!host)
			return; /* a container's number for another process */
		idx = find(pt, pid_arg);
		if (idx == NIL || pt->nodes[idx].state != SLOT_LIVE)
			return;
		target = &pt->procs[idx];
	}
	if (pgid_arg == 0)
		target->pgid = target->pid; /* a group of its own */
	else
		target->pgid = host ? pgid_arg : VG_PGID_UNKNOWN;
}

/* Exec on an exited entry means we lost the fork of a new process that got
 * the same pid: start over. */
static struct vg_proc *live_entry(struct vg_proctable *pt, uint32_t pid)
{
	uint32_t idx = find(pt, pid);

	if (idx == NIL)
		return slot_insert(pt, pid, NIL);
	if (pt->nodes[idx].state == SLOT_EXITED)
		return slot_clear(pt, idx, pid);
	touch(pt, idx);
	return &pt->procs[idx];
}

static int replace_image(struct vg_proctable *pt, struct vg_proc *p,
			 const struct vg_proc_info *info)
{
	struct vg_proc_image *img = vg_image_new(info);

	vg_image_put(p->img);
	p->img = img ? img : &vg_image_empty;
	if (img)
		return 0;
	pt->st.image_alloc_failed++;
	return -ENOMEM;
}

uint32_t vg_image_flags_of(uint32_t hdr_flags)
{
	uint32_t f = 0;

	if (hdr_flags & VG_F_EXE_MEMFD)
		f |= VG_IMG_EXE_MEMFD;
	if (hdr_flags & VG_F_EXE_DELETED)
		f |= VG_IMG_EXE_DELETED;
	if (hdr_flags & VG_F_ARGS_TRUNC)
		f |= VG_IMG_ARGS_TRUNC;
	if (hdr_flags & VG_F_PATH_TRUNC)
		f |= VG_IMG_PATH_TRUNC;
	if (hdr_flags & VG_F_EXE_UPPER_LAYER)
		f |= VG_IMG_EXE_UPPER_LAYER;
	if (hdr_flags & VG_F_EXE_LOWER_LAYER)
		f |= VG_IMG_EXE_LOWER_LAYER;
	return f | VG_IMG_LAYER_KNOWN;
}

int vg_pt_on_exec(struct vg_proctable *pt, const struct vg_event *ev)
{
	static const char deleted[] = " (deleted)";
	const struct vg_exec *x = &ev->u.exec;
	const struct vg_hdr *h = &x->hdr;
	struct vg_proc_info info = {0};
	struct vg_proc *p;

	if (h->type != VG_EV_EXEC || h->pid == 0)
		return -EINVAL;
	p = live_entry(pt, h->pid);
	if (!p)
		return -ENOMEM;
	if (h->ppid)
		p->ppid = h->ppid;
	p->uid = h->uid;
	p->gid = h->gid;
	p->euid = x->euid;
	p->egid = x->egid;
	p->loginuid = x->loginuid;
	p->pid_ns = x->pid_ns;
	p->mnt_ns = x->mnt_ns;
	p->sid = x->sid;
	p->pgid = x->pgid;
	p->pidns_start_ns = x->pidns_start_ns;
	if (x->start_ns)
		p->start_ns = x->start_ns;
	p->exec_ns = h->ts_ns;
	p->source = VG_SRC_EXEC;
	/* exec recomputes the effective and permitted sets (the record has the
	 * effective one); the inheritable set is kept across exec */
	p->cap_eff = (uint64_t)x->cap_effective_hi << 32 | x->cap_effective_lo;
	p->caps_known = (uint8_t)(VG_CAPS_EFF | (p->caps_known & VG_CAPS_INH));
	set_comm(p, h->comm, sizeof(h->comm));

	info.img_flags = vg_image_flags_of(h->flags);
	info.tty_nr = x->tty_nr;
	info.exe_dev = x->exe_dev;
	info.exe_ino = x->exe_ino;
	info.exe_ctime_ns = x->exe_ctime_ns;
	info.exe_mtime_ns = x->exe_mtime_ns;
	info.exe = ev->s[VG_S_EXE];
	info.exe_len = ev->len[VG_S_EXE];
	/* d_path() style names of unlinked files carry a suffix; the flag says it */
	if ((h->flags & VG_F_EXE_DELETED) && info.exe_len >= sizeof(deleted) - 1 &&
	    memcmp(info.exe + info.exe_len - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1) ==
		0)
		info.exe_len -= sizeof(deleted) - 1;
	info.args = ev->s[VG_S_ARGS];
	info.args_len = ev->len[VG_S_ARGS];
	info.cwd = ev->s[VG_S_CWD];
	info.cwd_len = ev->len[VG_S_CWD];
	info.tty = ev->s[VG_S_TTY];
	info.tty_len = ev->len[VG_S_TTY];
	info.env = ev->s[VG_S_ENV];
	info.env_len = ev->len[VG_S_ENV];
	int r = replace_image(pt, p, &info);
	set_cgroup(pt, p, h->cgroup_id);
	return r;
}

int vg_pt_on_exit(struct vg_proctable *pt, uint32_t pid, uint64_t ts, int32_t exit_code)
{
	uint32_t idx = find(pt, pid);
	struct vg_proc *p;

	if (idx == NIL)
		return -ENOENT;
	if (pt->nodes[idx].state == SLOT_EXITED)
		return 0;
	p = &pt->procs[idx];
	p->flags |= VG_PROC_EXITED;
	p->exit_ns = ts;
	p->exit_code = exit_code;
	list_unlink(pt, &pt->lru, idx);
	list_push_tail(pt, &pt->exited, idx);
	pt->nodes[idx].state = SLOT_EXITED;
	pt->nlive--;
	pt->nexited++;
	return 0;
}

size_t vg_pt_reap(struct vg_proctable *pt, uint64_t now)
{
	size_t n = 0;

	if (now < pt->grace_ns)
		return 0;
	while (pt->exited.head != NIL && pt->procs[pt->exited.head].exit_ns <= now - pt->grace_ns) {
		slot_release(pt, pt->exited.head);
		n++;
	}
	pt->st.reaped += n;
	return n;
}

int vg_pt_seed(struct vg_proctable *pt, const struct vg_proc_info *in)
{
	struct vg_proc *p;
	uint32_t idx;

	if (in->pid == 0)
		return -EINVAL;
	idx = find(pt, in->pid);
	if (idx != NIL &&
	    (pt->procs[idx].source != VG_SRC_MINIMAL || pt->nodes[idx].state == SLOT_EXITED))
		return -EEXIST;
	if (idx == NIL) {
		p = slot_insert(pt, in->pid, NIL);
		if (!p)
			return -ENOMEM;
	} else {
		p = &pt->procs[idx];
	}
	p->ppid = in->ppid;
	p->uid = in->uid;
	p->gid = in->gid;
	p->euid = in->euid;
	p->egid = in->egid;
	p->loginuid = in->loginuid;
	p->pid_ns = in->pid_ns;
	p->sid = in->sid;
	p->pgid = in->pgid;
	p->pidns_start_ns = in->pidns_start_ns;
	p->mnt_ns = in->mnt_ns;
	p->start_ns = in->start_ns;
	p->cap_eff = in->cap_eff;
	p->cap_prm = in->cap_prm;
	p->cap_inh = in->cap_inh;
	p->caps_known = (uint8_t)in->caps_known;
	p->source = VG_SRC_PROCFS;
	if (in->comm)
		set_comm(p, in->comm, VG_COMM_LEN);
	int r = replace_image(pt, p, in);
	if (in->container) {
		p->container = *in->container;
		p->cgroup_id = in->cgroup_id;
		p->flags &= ~VG_PROC_CGROUP_PENDING;
	} else {
		set_cgroup(pt, p, in->cgroup_id);
	}
	return r;
}

struct vg_proc *vg_pt_ancestor(struct vg_proctable *pt, const struct vg_proc *p, unsigned n)
{
	struct vg_proc *chain[VG_PT_ANCESTORS_MAX];

	if (!p || n > VG_PT_ANCESTORS_MAX)
		return NULL;
	if (n == 0)
		return (struct vg_proc *)p;
	return vg_pt_ancestors(pt, p, chain, n) == n ? chain[n - 1] : NULL;
}

unsigned vg_pt_ancestors(struct vg_proctable *pt, const struct vg_proc *p, struct vg_proc **out,
			 unsigned max)
{
	unsigned n = 0;

	if (!p)
		return 0;
	if (max > VG_PT_ANCESTORS_MAX)
		max = VG_PT_ANCESTORS_MAX;
	while (n < max) {
		const struct vg_proc *cur = n ? out[n - 1] : p;
		uint32_t ppid = cur->ppid;
		if (ppid == 0 || ppid == p->pid)
			break;
		for (unsigned i = 0; i < n; i++)
			if (out[i]->pid == ppid)
				return n; /* a loop: stop before going round it */
		struct vg_proc *par = vg_pt_lookup(pt, ppid);
		if (!par)
			break;
		out[n++] = par;
	}
	return n;
}

int vg_pt_foreach(struct vg_proctable *pt, int (*fn)(const struct vg_proc *p, void *ctx), void *ctx)
{
	for (uint32_t i = 0; i < pt->max; i++) {
		if (pt->nodes[i].state == SLOT_FREE)
			continue;
		int r = fn(&pt->procs[i], ctx);
		if (r)
			return r;
	}
	return 0;
}

void vg_pt_get_stats(const struct vg_proctable *pt, struct vg_pt_stats *st)
{
	*st = pt->st;
	st->max = pt->max;
	st->live = pt->nlive;
	st->exited = pt->nexited;
}
