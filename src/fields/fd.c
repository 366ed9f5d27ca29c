/* fd.* and fs.path.* fields: the descriptor an event is about (its number,
 * type and name), a socket's two ends with Falco's client/server roles, and
 * the paths of file-system calls. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fields/file_identity.h"
#include "fields/fx.h"
#include "sensor/event.h"

enum fdkind { FD_NONE, FD_FILE, FD_DIR, FD_IPV4, FD_IPV6, FD_UNIX, FD_NETLINK, FD_PIPE };

/* O_DIRECTORY opens a directory; O_TMPFILE carries the O_DIRECTORY bit
 * but makes a file. */
static bool is_dir_open(uint32_t flags)
{
	return (flags & O_DIRECTORY) && (flags & O_TMPFILE) != O_TMPFILE && !(flags & O_CREAT);
}

static enum fdkind fd_kind(const struct vg_event *ev)
{
	const struct vg_hdr *h = &ev->u.hdr;

	switch (vg_event_family(h->type)) {
	case VG_FAM_FILE:
		if (h->type == VG_EV_OPEN)
			return is_dir_open(ev->u.file.flags) ? FD_DIR : FD_FILE;
		return ev->u.file.fd >= 0 && ev->len[VG_S_PATH] ? FD_FILE : FD_NONE;
	case VG_FAM_NET:
		switch (ev->u.net.domain) {
		case AF_INET:
			return FD_IPV4;
		case AF_INET6:
			return FD_IPV6;
		case AF_UNIX:
			return FD_UNIX;
		case AF_NETLINK:
			return FD_NETLINK;
		}
		return FD_NONE;
	case VG_FAM_SYS:
		if (h->type != VG_EV_DUP)
			return FD_NONE;
		switch (ev->u.sys.aux & S_IFMT) {
		case S_IFREG:
			return FD_FILE;
		case S_IFDIR:
			return FD_DIR;
		case S_IFIFO:
			return FD_PIPE;
		case S_IFSOCK: /* the sensor sends the family in aux64 */
			return ev->u.sys.aux64 == AF_INET    ? FD_IPV4
			       : ev->u.sys.aux64 == AF_INET6 ? FD_IPV6
			       : ev->u.sys.aux64 == AF_UNIX  ? FD_UNIX
							     : FD_NONE;
		}
		return FD_NONE;
	default:
		return FD_NONE;
	}
}

static const char *const fd_type_names[] = {
    [FD_FILE] = "file", [FD_DIR] = "directory",	  [FD_IPV4] = "ipv4", [FD_IPV6] = "ipv6",
    [FD_UNIX] = "unix", [FD_NETLINK] = "netlink", [FD_PIPE] = "pipe",
};
static const char *const fd_type_chars[] = {
    [FD_FILE] = "f", [FD_DIR] = "d",	 [FD_IPV4] = "4", [FD_IPV6] = "6",
    [FD_UNIX] = "u", [FD_NETLINK] = "n", [FD_PIPE] = "p",
};

static bool is_inet(enum fdkind k)
{
	return k == FD_IPV4 || k == FD_IPV6;
}

/* The descriptor number the event is about. */
static int fd_num(const struct vg_event *ev, int64_t *fd)
{
	const struct vg_hdr *h = &ev->u.hdr;

	switch (vg_event_family(h->type)) {
	case VG_FAM_FILE:
		if (h->type == VG_EV_OPEN)
			*fd = ev->u.file.res >= 0 ? ev->u.file.res : -1;
		else if (ev->u.file.fd >= 0)
			*fd = ev->u.file.fd;
		else
			return 0;
		return 1;
	case VG_FAM_NET:
		if (h->type == VG_EV_ACCEPT || h->type == VG_EV_SOCKET)
			*fd = ev->u.net.res >= 0 ? ev->u.net.res : -1;
		else
			*fd = ev->u.net.fd;
		return 1;
	case VG_FAM_SYS:
		if (h->type != VG_EV_DUP)
			return 0;
		*fd = ev->u.sys.res >= 0 ? ev->u.sys.res : -1;
		return 1;
	default:
		return 0;
	}
}

/* Client and server ends of a socket event, as Falco sees them: the one
 * who connects is the client; a socket that accepts, binds or listens is
 * the server. NULL when that end is unknown. */
static void net_roles(const struct vg_event *ev, const struct vg_sockaddr **cli,
		      const struct vg_sockaddr **srv)
{
	const struct vg_net *n = &ev->u.net;

	*cli = *srv = NULL;
	switch (n->hdr.type) {
	case VG_EV_CONNECT:
		*cli = &n->local;
		*srv = &n->remote;
		break;
	case VG_EV_ACCEPT:
		*cli = &n->remote;
		*srv = &n->local;
		break;
	case VG_EV_BIND:
	case VG_EV_LISTEN:
		*srv = &n->local;
		if (n->remote.family)
			*cli = &n->remote;
		break;
	}
	if (*cli && (*cli)->family != AF_INET && (*cli)->family != AF_INET6)
		*cli = NULL;
	if (*srv && (*srv)->family != AF_INET && (*srv)->family != AF_INET6)
		*srv = NULL;
}

static int put_ip(struct vg_value *out, const struct vg_sockaddr *a)
{
	if (!a || (a->family != AF_INET && a->family != AF_INET6))
		return 0;
	memset(&out->ip, 0, sizeof(out->ip));
	out->ip.family = a->family == AF_INET ? 4 : 6;
	memcpy(out->ip.addr, a->addr, a->family == AF_INET ? 4 : 16);
	return 1;
}

static int put_port(struct vg_value *out, const struct vg_sockaddr *a)
{
	if (!a || (a->family != AF_INET && a->family != AF_INET6))
		return 0;
	return vg_put_uint(out, a->port);
}

/* "ip:port", "[ip6]:port" */
size_t vg_fx_addr_text(char *buf, size_t size, const struct vg_sockaddr *a)
{
	char ip[INET6_ADDRSTRLEN] = "";

	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	return (size_t)snprintf(buf, size, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
				a->port);
}

/* fd.name of a socket: client->server, or the one end that is known. */
int vg_fx_put_tuple(struct vg_rule_ctx *c, struct vg_value *out)
{
	const struct vg_event *ev = c->ev;
	const struct vg_sockaddr *cli, *srv;
	char a[64], b[64];
	uint32_t len;
	const char *d;

	if (ev->u.net.domain == AF_UNIX)
		return ev->len[VG_S_UNIX_PATH]
			   ? vg_put_str(out, ev->s[VG_S_UNIX_PATH], ev->len[VG_S_UNIX_PATH])
			   : 0;
	net_roles(ev, &cli, &srv);
	if (!cli && !srv)
		return 0;
	if (cli)
		vg_fx_addr_text(a, sizeof(a), cli);
	if (srv)
		vg_fx_addr_text(b, sizeof(b), srv);
	if (cli && srv)
		d = vg_sc_printf(c, &len, "%s->%s", a, b);
	else
		d = vg_sc_copy(c, &len, cli ? a : b);
	return d ? vg_put_str(out, d, len) : 0;
}

static int put_l4proto(const struct vg_event *ev, struct vg_value *out)
{
	const struct vg_net *n = &ev->u.net;

	if (n->domain != AF_INET && n->domain != AF_INET6)
		return 0;
	switch (n->type & 0xf) {
	case SOCK_STREAM:
		return vg_put_cstr(out, "tcp");
	case SOCK_DGRAM:
		return vg_put_cstr(out, n->protocol == IPPROTO_ICMP || n->protocol == IPPROTO_ICMPV6
					 ? "icmp"
					 : "udp");
	case SOCK_RAW:
		return vg_put_cstr(out, "raw");
	}
	return 0;
}

/* The path a file event is about: resolved, else as given. */
static int put_path(const struct vg_event *ev, enum vg_slot resolved, enum vg_slot raw,
		    struct vg_value *out)
{
	if (ev->len[resolved])
		return vg_put_str(out, ev->s[resolved], ev->len[resolved]);
	if (ev->len[raw])
		return vg_put_str(out, ev->s[raw], ev->len[raw]);
	return 0;
}

static int put_known_name(const struct vg_event *ev, struct vg_value *out)
{
	const char *name = vg_file_known_name(ev);

	return name ? vg_put_cstr(out, name) : 0;
}

FX(fd_field)
{
	enum vg_field_id id = ref->field->id;
	const struct vg_event *ev = c->ev;
	enum vg_family fam = vg_event_family(ev->u.hdr.type);
	enum fdkind k = fd_kind(ev);
	const struct vg_sockaddr *cli = NULL, *srv = NULL, *loc = NULL, *rem = NULL;
	int64_t fd;
	int n;

	if (fam == VG_FAM_NET) {
		net_roles(ev, &cli, &srv);
		if (is_inet(k)) {
			loc = ev->u.net.local.family ? &ev->u.net.local : NULL;
			rem = ev->u.net.remote.family ? &ev->u.net.remote : NULL;
		}
	}
	switch (id) {
	case VG_F_FD_NUM:
		return fd_num(ev, &fd) ? vg_put_int(out, fd) : 0;
	case VG_F_FD_TYPE:
		return k != FD_NONE ? vg_put_cstr(out, fd_type_names[k]) : 0;
	case VG_F_FD_TYPECHAR:
		return k != FD_NONE ? vg_put_cstr(out, fd_type_chars[k]) : 0;
	case VG_F_FD_NAME:
		if (k == FD_FILE || k == FD_DIR)
			return fam == VG_FAM_FILE ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out) : 0;
		return fam == VG_FAM_NET ? vg_fx_put_tuple(c, out) : 0;
	case VG_F_FD_NAMERAW:
		if (fam == VG_FAM_FILE && (k == FD_FILE || k == FD_DIR))
			return put_path(ev, VG_S_PATH_RAW, VG_S_PATH, out);
		return fam == VG_FAM_NET ? vg_fx_put_tuple(c, out) : 0;
	case VG_F_FD_DIRECTORY:
	case VG_F_FD_FILENAME: {
		struct vg_value v;
		const char *slash;

		if (fam != VG_FAM_FILE || (k != FD_FILE && k != FD_DIR) ||
		    !put_path(ev, VG_S_PATH, VG_S_PATH_RAW, &v))
			return 0;
		if (k == FD_DIR) /* a directory is its own directory, and no file */
			return id == VG_F_FD_DIRECTORY ? (*out = v, 1) : 0;
		slash = memrchr(v.s.ptr, '/', v.s.len);
		if (!slash)
			return id == VG_F_FD_FILENAME ? (*out = v, 1) : 0;
		if (id == VG_F_FD_FILENAME)
			return vg_put_str(out, slash + 1, v.s.len - (size_t)(slash + 1 - v.s.ptr));
		/* "/etc/shadow" -> "/etc", "/shadow" -> "/" */
		return vg_put_str(out, v.s.ptr, slash == v.s.ptr ? 1 : (size_t)(slash - v.s.ptr));
	}
	case VG_F_FD_INO:
		return fam == VG_FAM_FILE && ev->u.file.ino ? vg_put_uint(out, ev->u.file.ino) : 0;
	case VG_F_FD_IP:
	case VG_F_FD_NET:
		n = put_ip(&out[0], cli);
		if (n < (int)max)
			n += put_ip(&out[n], srv);
		return n;
	case VG_F_FD_PORT:
		n = put_port(&out[0], cli);
		if (n < (int)max)
			n += put_port(&out[n], srv);
		return n;
	case VG_F_FD_CIP:
	case VG_F_FD_CNET:
		return put_ip(out, cli);
	case VG_F_FD_SIP:
	case VG_F_FD_DIP:
	case VG_F_FD_SNET:
		return put_ip(out, srv);
	case VG_F_FD_LIP:
	case VG_F_FD_LNET:
		return put_ip(out, loc);
	case VG_F_FD_RIP:
	case VG_F_FD_RNET:
		return put_ip(out, rem);
	case VG_F_FD_CPORT:
		return put_port(out, cli);
	case VG_F_FD_SPORT:
	case VG_F_FD_DPORT:
		return put_port(out, srv);
	case VG_F_FD_LPORT:
		return put_port(out, loc);
	case VG_F_FD_RPORT:
		return put_port(out, rem);
	case VG_F_FD_L4PROTO:
		return fam == VG_FAM_NET ? put_l4proto(ev, out) : 0;
	case VG_F_FD_SOCKFAMILY:
		if (is_inet(k))
			return vg_put_cstr(out, "ip");
		return k == FD_UNIX ? vg_put_cstr(out, "unix") : 0;
	case VG_F_FD_IS_SERVER:
		if (fam != VG_FAM_NET || ev->u.hdr.type == VG_EV_SOCKET)
			return 0;
		return vg_put_bool(out, ev->u.hdr.type != VG_EV_CONNECT);
	case VG_F_FD_CONNECTED:
		if (ev->u.hdr.type == VG_EV_CONNECT)
			return vg_put_bool(out, ev->u.net.res == 0);
		return ev->u.hdr.type == VG_EV_ACCEPT ? vg_put_bool(out, ev->u.net.res >= 0) : 0;
	default:
		return 0;
	}
}

/* fs.path.*: the paths of file-system calls */
FX(fs_path)
{
	const struct vg_event *ev = c->ev;
	const struct vg_hdr *h = &ev->u.hdr;
	enum vg_field_id id = ref->field->id;

	switch (id) {
	case VG_F_FS_PATH_NAME:
	case VG_F_FS_PATH_NAMERAW:
		if (vg_event_family(h->type) != VG_FAM_FILE || h->type == VG_EV_RENAME ||
		    h->type == VG_EV_LINK || h->type == VG_EV_SYMLINK)
			return 0;
		return id == VG_F_FS_PATH_NAME ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out)
					       : put_path(ev, VG_S_PATH_RAW, VG_S_PATH, out);
	case VG_F_FS_PATH_SOURCE:
	case VG_F_FS_PATH_SOURCERAW:
		if (h->type == VG_EV_SYMLINK) /* the target: where it leads (monitor/path_resolve.c) */
			return id == VG_F_FS_PATH_SOURCE
				   ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out)
				   : put_path(ev, VG_S_PATH_RAW, VG_S_PATH_RAW, out);
		if (h->type != VG_EV_RENAME && h->type != VG_EV_LINK)
			return 0;
		return id == VG_F_FS_PATH_SOURCE ? put_path(ev, VG_S_PATH, VG_S_PATH_RAW, out)
						 : put_path(ev, VG_S_PATH_RAW, VG_S_PATH, out);
	case VG_F_FS_PATH_TARGET:
	case VG_F_FS_PATH_TARGETRAW:
		if (h->type != VG_EV_RENAME && h->type != VG_EV_LINK && h->type != VG_EV_SYMLINK)
			return 0;
		return id == VG_F_FS_PATH_TARGET ? put_path(ev, VG_S_PATH2, VG_S_PATH2_RAW, out)
						 : put_path(ev, VG_S_PATH2_RAW, VG_S_PATH2, out);
	default:
		return 0;
	}
}

/* fd.known_name: src/fields/file_identity.c */
FX(fd_known_name)
{
	return vg_event_family(c->ev->u.hdr.type) == VG_FAM_FILE ? put_known_name(c->ev, out) : 0;
}

static const struct vg_fx fx[] = {
	{ VG_F_FD_NUM, fd_field },
	{ VG_F_FD_TYPE, fd_field },
	{ VG_F_FD_TYPECHAR, fd_field },
	{ VG_F_FD_NAME, fd_field },
	{ VG_F_FD_NAMERAW, fd_field },
	{ VG_F_FD_DIRECTORY, fd_field },
	{ VG_F_FD_FILENAME, fd_field },
	{ VG_F_FD_INO, fd_field },
	{ VG_F_FD_IP, fd_field },
	{ VG_F_FD_CIP, fd_field },
	{ VG_F_FD_SIP, fd_field },
	{ VG_F_FD_DIP, fd_field },
	{ VG_F_FD_LIP, fd_field },
	{ VG_F_FD_RIP, fd_field },
	{ VG_F_FD_NET, fd_field },
	{ VG_F_FD_CNET, fd_field },
	{ VG_F_FD_SNET, fd_field },
	{ VG_F_FD_LNET, fd_field },
	{ VG_F_FD_RNET, fd_field },
	{ VG_F_FD_PORT, fd_field },
	{ VG_F_FD_CPORT, fd_field },
	{ VG_F_FD_SPORT, fd_field },
	{ VG_F_FD_DPORT, fd_field },
	{ VG_F_FD_LPORT, fd_field },
	{ VG_F_FD_RPORT, fd_field },
	{ VG_F_FD_L4PROTO, fd_field },
	{ VG_F_FD_SOCKFAMILY, fd_field },
	{ VG_F_FD_IS_SERVER, fd_field },
	{ VG_F_FD_CONNECTED, fd_field },
	{ VG_F_FD_KNOWN_NAME, fd_known_name },
	{ VG_F_FS_PATH_NAME, fs_path },
	{ VG_F_FS_PATH_NAMERAW, fs_path },
	{ VG_F_FS_PATH_SOURCE, fs_path },
	{ VG_F_FS_PATH_SOURCERAW, fs_path },
	{ VG_F_FS_PATH_TARGET, fs_path },
	{ VG_F_FS_PATH_TARGETRAW, fs_path },
};

VG_FX_FAMILY(vg_fx_fd, "fd", fx);
