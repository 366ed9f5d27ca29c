// The C interface of re2_c.h over RE2 (C++). Nothing here throws across
// the C boundary: every C++ exception becomes an error return.
#include "rules/re2_c.h"

#include <re2/re2.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <new>

struct vg_re {
	re2::RE2 re;
	vg_re(const char *p, size_t n, const re2::RE2::Options &o) : re(re2::StringPiece(p, n), o)
	{
	}
};

static void set_err(char *err, size_t errsz, const char *msg)
{
	if (!err || !errsz)
		return;
	size_t n = std::strlen(msg);
	if (n >= errsz)
		n = errsz - 1;
	std::memcpy(err, msg, n);
	err[n] = '\0';
}

extern "C" struct vg_re *vg_re_compile(const char *pattern, size_t len, char *err, size_t errsz)
{
	set_err(err, errsz, "");
	try {
		// Falco compiles its patterns with RE2::POSIX; errors are ours to
		// report (with file and line), not RE2's to print on stderr.
		re2::RE2::Options o(re2::RE2::POSIX);
		o.set_log_errors(false);
		vg_re *r = new vg_re(pattern, len, o);
		if (!r->re.ok()) {
			set_err(err, errsz, r->re.error().c_str());
			delete r;
			return nullptr;
		}
		return r;
	} catch (const std::bad_alloc &) {
		set_err(err, errsz, "out of memory");
	} catch (...) {
		set_err(err, errsz, "the regex engine failed");
	}
	return nullptr;
}

extern "C" int vg_re_full_match(const struct vg_re *r, const char *s, size_t len)
{
	if (!r)
		return -EINVAL;
	if (len > INT_MAX) // RE2 measures subjects in int
		return -E2BIG;
	try {
		return re2::RE2::FullMatch(re2::StringPiece(s ? s : "", len), r->re) ? 1 : 0;
	} catch (const std::bad_alloc &) {
		return -ENOMEM;
	} catch (...) {
		return -EFAULT;
	}
}

extern "C" void vg_re_free(struct vg_re *r)
{
	delete r;
}
