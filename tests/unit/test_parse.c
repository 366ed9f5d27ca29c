/* vg_parse_u64 and vg_parse_size: the whole string is the number, no
 * signs, no spaces, no overflow. */
#include <string.h>
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "util/parse.h"

static void test_u64(void)
{
	uint64_t v = 7;

	CHECK_INT(vg_parse_u64("0", &v), 0);
	CHECK(v == 0);
	CHECK_INT(vg_parse_u64("42", &v), 0);
	CHECK(v == 42);
	CHECK_INT(vg_parse_u64("0007", &v), 0);
	CHECK(v == 7);
	CHECK_INT(vg_parse_u64("18446744073709551615", &v), 0);
	CHECK(v == UINT64_MAX);

	/* overflow, by one and by a lot; out is left alone */
	v = 5;
	CHECK_INT(vg_parse_u64("18446744073709551616", &v), -ERANGE);
	CHECK_INT(vg_parse_u64("18446744073709551620", &v), -ERANGE);
	CHECK_INT(vg_parse_u64("99999999999999999999", &v), -ERANGE);
	CHECK_INT(vg_parse_u64("1000000000000000000000000000000000000000", &v), -ERANGE);
	CHECK(v == 5);

	/* junk */
	CHECK_INT(vg_parse_u64("", &v), -EINVAL);
	CHECK_INT(vg_parse_u64(NULL, &v), -EINVAL);
	CHECK_INT(vg_parse_u64("-1", &v), -EINVAL);
	CHECK_INT(vg_parse_u64("+1", &v), -EINVAL);
	CHECK_INT(vg_parse_u64(" 1", &v), -EINVAL);
	CHECK_INT(vg_parse_u64("1 ", &v), -EINVAL);
	CHECK_INT(vg_parse_u64("12a", &v), -EINVAL);
	CHECK_INT(vg_parse_u64("0x10", &v), -EINVAL);
	CHECK_INT(vg_parse_u64("1.5", &v), -EINVAL);
	CHECK_INT(vg_parse_u64("1K", &v), -EINVAL);
	CHECK(v == 5);
}

static void test_size(void)
{
	uint64_t v = 0;

	CHECK_INT(vg_parse_size("0", &v), 0);
	CHECK(v == 0);
	CHECK_INT(vg_parse_size("123", &v), 0);
	CHECK(v == 123);
	CHECK_INT(vg_parse_size("1K", &v), 0);
	CHECK(v == 1024);
	CHECK_INT(vg_parse_size("4k", &v), 0);
	CHECK(v == 4096);
	CHECK_INT(vg_parse_size("3M", &v), 0);
	CHECK(v == 3ull << 20);
	CHECK_INT(vg_parse_size("2m", &v), 0);
	CHECK(v == 2ull << 20);
	CHECK_INT(vg_parse_size("5G", &v), 0);
	CHECK(v == 5ull << 30);
	CHECK_INT(vg_parse_size("1g", &v), 0);
	CHECK(v == 1ull << 30);
	CHECK_INT(vg_parse_size("18446744073709551615", &v), 0);
	CHECK(v == UINT64_MAX);
	/* the largest G count that fits, and one more */
	CHECK_INT(vg_parse_size("17179869183G", &v), 0);
	CHECK(v == 17179869183ull << 30);
	v = 9;
	CHECK_INT(vg_parse_size("17179869184G", &v), -ERANGE);
	CHECK_INT(vg_parse_size("18014398509481984K", &v), -ERANGE);
	CHECK_INT(vg_parse_size("18446744073709551616", &v), -ERANGE);
	/* a number too long for any u64 is out of range, as for vg_parse_u64,
	 * whatever its length */
	CHECK_INT(vg_parse_size("1000000000000000000000000000000000000000", &v), -ERANGE);
	CHECK_INT(vg_parse_size("1000000000000000000000000000000000000000K", &v), -ERANGE);
	CHECK(v == 9);
	/* leading zeros do not make a number bigger */
	CHECK_INT(vg_parse_size("000000000000000000000000000000000000001K", &v), 0);
	CHECK(v == 1024);

	/* junk and unknown suffixes leave the output alone */
	v = 9;
	CHECK_INT(vg_parse_size(NULL, &v), -EINVAL);
	CHECK_INT(vg_parse_size("", &v), -EINVAL);
	CHECK_INT(vg_parse_size("K", &v), -EINVAL);
	CHECK_INT(vg_parse_size("1KB", &v), -EINVAL);
	CHECK_INT(vg_parse_size("1KK", &v), -EINVAL);
	CHECK_INT(vg_parse_size("1T", &v), -EINVAL);
	CHECK_INT(vg_parse_size("1B", &v), -EINVAL);
	CHECK_INT(vg_parse_size("1 K", &v), -EINVAL);
	CHECK_INT(vg_parse_size("-1K", &v), -EINVAL);
	CHECK_INT(vg_parse_size("K1", &v), -EINVAL);
	CHECK_INT(vg_parse_size("1.5M", &v), -EINVAL);
	CHECK(v == 9);
}

/* "a, b,,c " gives a, b, an empty item, c; the end, and NULL, give none. */
static void test_list_items(void)
{
	const char *want[] = { "a", "b", "", "c" };
	const char *p = " a, b,,c ", *s, *e;
	size_t n = 0;

	while (vg_next_list_item(&p, &s, &e)) {
		CHECK(n < 4);
		if (n >= 4)
			break;
		CHECK((size_t)(e - s) == strlen(want[n]) && !strncmp(s, want[n], (size_t)(e - s)));
		n++;
	}
	CHECK(n == 4);
	p = "";
	CHECK_INT(vg_next_list_item(&p, &s, &e), 0);
	p = NULL;
	CHECK_INT(vg_next_list_item(&p, &s, &e), 0);
}

int main(void)
{
	test_u64();
	test_size();
	test_list_items();
	return check_report();
}
