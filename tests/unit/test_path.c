/* vg_path_join and vg_path_has_dotdot: lexical joining and normalising of
 * the pieces the kernel sends (base directory + path as the program gave it). */
#include <string.h>

#include "check.h"
#include "util/path.h"

/* Joins into a roomy buffer and returns the result (static storage). */
static const char *join(const char *base, const char *rel)
{
	static char out[256];
	int n = vg_path_join(out, sizeof(out), base, rel);

	if (n < 0 || (size_t)n != strlen(out))
		return "(error)";
	return out;
}

static void test_absolute_and_relative(void)
{
	CHECK_STR(join("/home/u", "file"), "/home/u/file");
	CHECK_STR(join("/home/u", "sub/file"), "/home/u/sub/file");
	/* an absolute rel ignores the base */
	CHECK_STR(join("/home/u", "/etc/passwd"), "/etc/passwd");
	CHECK_STR(join(NULL, "/etc/passwd"), "/etc/passwd");
	/* no base: a relative path is anchored at / */
	CHECK_STR(join(NULL, "etc/passwd"), "/etc/passwd");
	CHECK_STR(join("/", "etc"), "/etc");
	CHECK_STR(join("/tmp", NULL), "/tmp");
	CHECK_STR(join("/tmp", ""), "/tmp");
	CHECK_STR(join(NULL, NULL), "/");
	CHECK_STR(join("", ""), "/");
}

static void test_normalise(void)
{
	CHECK_STR(join("/a/b", ".."), "/a");
	CHECK_STR(join("/a/b", "../c"), "/a/c");
	CHECK_STR(join("/a/b", "../../c"), "/c");
	CHECK_STR(join("/a/b", "./c/./d"), "/a/b/c/d");
	CHECK_STR(join("/a/b", "."), "/a/b");
	CHECK_STR(join("/", "//etc///passwd"), "/etc/passwd");
	CHECK_STR(join("//a//b//", "c//"), "/a/b/c");
	CHECK_STR(join("/a/b/", "c/"), "/a/b/c");
	CHECK_STR(join(NULL, "/etc/"), "/etc");
	CHECK_STR(join(NULL, "/etc/../etc/shadow"), "/etc/shadow");
	/* ".." in the base is folded too */
	CHECK_STR(join("/a/../b", "c"), "/b/c");
	/* ".." never climbs above the root */
	CHECK_STR(join("/", ".."), "/");
	CHECK_STR(join("/a", "../../../.."), "/");
	CHECK_STR(join(NULL, "/../../etc/passwd"), "/etc/passwd");
	CHECK_STR(join("/tmp", "../../../etc/shadow"), "/etc/shadow");
	/* names that only look like dots are names */
	CHECK_STR(join("/a", "..."), "/a/...");
	CHECK_STR(join("/a", ".x/..y/x.."), "/a/.x/..y/x..");
}

static void test_overflow(void)
{
	char out[8];
	int n;

	/* "/abc" needs 5 bytes with the NUL */
	n = vg_path_join(out, 5, NULL, "/abc");
	CHECK_INT(n, 4);
	CHECK_STR(out, "/abc");
	memset(out, 'X', sizeof(out));
	n = vg_path_join(out, 4, NULL, "/abc");
	CHECK_INT(n, -1);
	CHECK(strlen(out) < 4); /* terminated inside the buffer */
	CHECK_STR(out, "/");

	/* truncated at a component boundary: the part that fit stays */
	memset(out, 'X', sizeof(out));
	n = vg_path_join(out, sizeof(out), "/ab", "cdefgh");
	CHECK_INT(n, -1);
	CHECK_STR(out, "/ab");

	memset(out, 'X', sizeof(out));
	n = vg_path_join(out, sizeof(out), "/abcdefghij", "x");
	CHECK_INT(n, -1);
	CHECK(strlen(out) < sizeof(out));

	/* exactly full fits */
	n = vg_path_join(out, sizeof(out), "/ab", "cd");
	CHECK_INT(n, 6);
	CHECK_STR(out, "/ab/cd");
	/* folding ".." makes room again: the result is what counts */
	n = vg_path_join(out, sizeof(out), "/abcdef", "../x");
	CHECK_INT(n, 2);
	CHECK_STR(out, "/x");

	CHECK_INT(vg_path_join(out, 0, NULL, "/a"), -1);
	/* room for the NUL only: the truncated result is "" */
	memset(out, 'X', sizeof(out));
	CHECK_INT(vg_path_join(out, 1, NULL, "/a"), -1);
	CHECK_INT(out[0], 0);
	CHECK_INT(vg_path_join(out, 2, NULL, "/"), 1);
	CHECK_STR(out, "/");
}

/* A path as long as the kernel sends still joins. */
static void test_long(void)
{
	static char rel[4000], out[4096];
	int n;

	for (size_t i = 0; i < sizeof(rel) - 1; i++)
		rel[i] = i % 10 == 9 ? '/' : 'a';
	rel[sizeof(rel) - 1] = 0;
	n = vg_path_join(out, sizeof(out), "/base", rel);
	CHECK(n > 0);
	CHECK_INT(strncmp(out, "/base/aaaaaaaaa/", 16), 0);
	CHECK_INT(n, (long long)strlen(out));
	n = vg_path_join(out, 100, "/base", rel);
	CHECK_INT(n, -1);
	CHECK(strlen(out) < 100);
}

static void test_has_dotdot(void)
{
	CHECK(vg_path_has_dotdot(".."));
	CHECK(vg_path_has_dotdot("../etc"));
	CHECK(vg_path_has_dotdot("/etc/.."));
	CHECK(vg_path_has_dotdot("/etc/../etc/shadow"));
	CHECK(vg_path_has_dotdot("a/../b"));
	CHECK(vg_path_has_dotdot(".../.."));
	CHECK(vg_path_has_dotdot("x../../y"));

	CHECK(!vg_path_has_dotdot(""));
	CHECK(!vg_path_has_dotdot("/etc/passwd"));
	CHECK(!vg_path_has_dotdot("a..b"));
	CHECK(!vg_path_has_dotdot("/a../b"));
	CHECK(!vg_path_has_dotdot("/..a/b"));
	CHECK(!vg_path_has_dotdot("..."));
	CHECK(!vg_path_has_dotdot("/.../x"));
	CHECK(!vg_path_has_dotdot("./."));
	CHECK(!vg_path_has_dotdot("/tmp/.hidden"));
}

int main(void)
{
	test_absolute_and_relative();
	test_normalise();
	test_overflow();
	test_long();
	test_has_dotdot();
	return check_report();
}
