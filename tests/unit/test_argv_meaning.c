/* Arguments read by meaning: decoders as they parse their options
 * (src/fields/decoders.c), grep's patterns as grep compiles them
 * (src/fields/grep_search.c), mount flags by name (src/fields/mount_args.c). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fields/decoders.h"
#include "fields/grep_search.h"
#include "fields/mount_args.h"
#include "fields/mount_source.h"
#include "fields/relay.h"

#define CMD(s) vg_command_decodes(s, strlen(s))
#define LINE(s) vg_shell_line_decodes_and_runs(s, strlen(s))
/* arguments NUL-separated, as the kernel gives them; sizeof counts the last NUL */
#define GREP(exe, a) vg_grep_credential_search(exe, a, sizeof(a))
#define GREP_AT(exe, a, cwd) vg_grep_credential_search_at(exe, a, sizeof(a), cwd)

static void test_decoders(void)
{
	CHECK(CMD("base64 -d"));
	CHECK(CMD("base64 -id"));
	CHECK(CMD("base64 -di"));
	CHECK(CMD("base64 -i -w0 -d"));
	CHECK(CMD("base64 --dec"));
	CHECK(CMD("base64 file -d"));		/* GNU getopt permutes */
	CHECK(!CMD("base64 -- -d"));		/* an operand after "--" */
	CHECK(!CMD("base64 -w d"));		/* "d" is -w's value */
	CHECK(!CMD("base64 -wd"));
	CHECK(!CMD("base64 --ignore-garbage"));
	CHECK(CMD("basenc --base64 --d"));
	CHECK(CMD("/usr/bin/base32 '-d'"));
	CHECK(CMD("xxd -r -p"));
	CHECK(CMD("xxd -rp"));
	CHECK(CMD("xxd --revert -p"));
	CHECK(CMD("xxd -p -r"));
	CHECK(!CMD("xxd -pr"));			/* xxd reads it as -p */
	CHECK(!CMD("xxd -c 8 file -r"));	/* xxd stops at its first operand */
	CHECK(CMD("openssl base64 --d"));
	CHECK(CMD("openssl enc -d -base64"));
	CHECK(CMD("openssl aes-256-cbc -d -k x"));
	CHECK(!CMD("openssl enc -base64"));
	CHECK(!CMD("openssl x509 -d"));
	CHECK(CMD("uudecode"));
	CHECK(!CMD("cat -d"));
	CHECK(vg_argv_decodes("/usr/bin/base64", "-id\0", 4));
	CHECK(!vg_argv_decodes("/usr/bin/base64", "-w0\0", 4));
}

static void test_shell_lines(void)
{
	CHECK(LINE("echo eA== | base64 -id | sh"));
	CHECK(LINE("echo eA== | base64 -id | /bin/bash -s"));
	CHECK(LINE("printf x | xxd -p | xxd --revert -p | python3.11"));
	CHECK(LINE("eval \"$(echo eA== | base64 --dec)\""));
	CHECK(LINE("eval `echo eA== | base64 -di`"));
	CHECK(LINE("base64 -d $f | sh"));
	CHECK(!LINE("echo eA== | base64 -id | wc -c"));
	CHECK(!LINE("echo eA== | base64 -id || sh"));
	CHECK(!LINE("echo $(base64 -d f)"));		/* printed, not run */
	CHECK(!LINE("echo eA== | base64 | sh"));	/* encoding is not decoding */
	CHECK(!LINE("xxd -pr f | sh"));
}

static void test_grep(void)
{
	CHECK(GREP("/usr/bin/grep", "-r\0pa[s]sword\0/srv"));
	CHECK(GREP("/usr/bin/grep", "-rE\0p(a|4)ssw(or)?d\0/srv"));
	CHECK(GREP("/usr/bin/grep", "-ri\0-e\0PA.SWORD\0/srv"));
	CHECK(GREP("/usr/bin/grep", "-rie\0PASSWD\0/srv"));
	CHECK(GREP("/usr/bin/grep", "--recursive\0--regexp=secr[e]t\0/srv"));
	CHECK(GREP("/usr/bin/grep", "tok.n\0/srv\0-r"));	  /* options after operands */
	CHECK(GREP("/usr/bin/grep", "-l\0BEGIN.*PRIVATE KEY\0f")); /* key headers need no -r */
	CHECK(GREP("/usr/bin/grep", "-rF\0password\0/srv"));
	CHECK(!GREP("/usr/bin/grep", "pa[s]sword\0f"));		  /* one file: not a search */
	CHECK(!GREP("/usr/bin/grep", "-r\0ss\0/srv"));		  /* a piece of a word */
	CHECK(!GREP("/usr/bin/grep", "-r\0.\0/srv"));		  /* everything */
	CHECK(!GREP("/usr/bin/grep", "-r\0[\0/srv"));		  /* grep refuses it */
	CHECK(!GREP("/usr/bin/grep", "-r\0--\0-e\0/srv"));	  /* "-e" is the pattern */
	CHECK(!GREP("/usr/bin/grep", "-rf\0pa[s]sword\0/srv"));	  /* a pattern file's name */
	CHECK(!GREP("/usr/bin/cat", "-r\0pa[s]sword\0/srv"));
	CHECK(GREP("/usr/bin/rgrep", "pa.sword\0/srv"));
	/* repetitions of repetitions: glibc would build an automaton of gigabytes */
	CHECK(!GREP("/usr/bin/egrep", "-r\0'++++++++++++++++++++++++++++++\0/srv"));
	CHECK(!GREP("/usr/bin/grep", "-rE\0(a{1,999}){999}\0/srv"));
	/* ripgrep: recursive by default; -r is --replace, -E --encoding; -S folds
	 * case for a pattern without capitals */
	CHECK(GREP("/usr/bin/rg", "pa[s]sw\0/srv"));
	CHECK(GREP("/usr/bin/rg", "-i\0PASS.ORD\0/srv"));
	CHECK(GREP("/usr/bin/rg", "-S\0pass.ord\0/srv"));
	CHECK(GREP("/usr/bin/rg", "-r\0x\0-e\0secr.t\0/srv"));
	CHECK(GREP("/usr/bin/rg", "--regexp\0tok[e]n"));
	CHECK(!GREP("/usr/bin/rg", "-r\0passw\0ss\0/srv")); /* passw is the replacement */
	CHECK(!GREP("/usr/bin/rg", "-E\0password\0ss"));	  /* password is an encoding */
	CHECK(!GREP("/usr/bin/rg", "PASS.ORD\0/srv"));	  /* case sensitive: PASSWORD is not a word here */
	/* the silver searcher: smart case by default, -Q literal, -f is --follow */
	CHECK(GREP("/usr/bin/ag", "pass.ord\0/srv"));
	CHECK(GREP("/usr/bin/ag", "-f\0BEGIN.*PRIVATE KEY"));
	CHECK(GREP("/usr/bin/ag", "-G\0x\0secr.t"));
	CHECK(!GREP("/usr/bin/ag", "-Q\0pa.sword\0/srv"));	  /* literal: matches no word */
}

/* grep -f FILE: the pattern file is read (a regular file, absolute or
 * relative to the process's working directory) */
static void test_grep_pattern_file(void)
{
	char dir[] = "/tmp/vigil-grepf-XXXXXX", path[128];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/pats", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("hello\npa[s]sw.rd\n", f);
	fclose(f);
	{
		char args[256];
		int n = snprintf(args, sizeof(args), "-r%c-f%c%s%c/srv", 0, 0, path, 0);

		CHECK(vg_grep_credential_search_at("/usr/bin/grep", args, (size_t)n + 1, NULL));
	}
	CHECK(GREP_AT("/usr/bin/grep", "-rf\0pats\0/srv", dir));
	CHECK(GREP_AT("/usr/bin/grep", "-r\0--file=pats\0/srv", dir));
	CHECK(GREP_AT("/usr/bin/rg", "-f\0pats\0/srv", dir));
	/* not recursive: password words do not count, and a missing file is nothing */
	CHECK(!GREP_AT("/usr/bin/grep", "-f\0pats\0x", dir));
	CHECK(!GREP_AT("/usr/bin/grep", "-rf\0nothere\0/srv", dir));
	CHECK(!GREP_AT("/usr/bin/grep", "-rf\0/dev/zero\0/srv", dir));
	unlink(path);
	rmdir(dir);
}

/* a shell that reads its commands from standard input */
static void test_shell_reads_stdin(void)
{
	CHECK(vg_shell_args_read_stdin("", 0));
	CHECK(vg_shell_args_read_stdin("-i", sizeof("-i")));
	CHECK(vg_shell_args_read_stdin("--norc\0-is", sizeof("--norc\0-is")));
	CHECK(!vg_shell_args_read_stdin("-c\0id", sizeof("-c\0id")));
	CHECK(!vg_shell_args_read_stdin("-ic\0id", sizeof("-ic\0id")));
	CHECK(!vg_shell_args_read_stdin("script.sh", sizeof("script.sh")));
	CHECK(!vg_shell_args_read_stdin("--\0script.sh", sizeof("--\0script.sh")));
}

/* a relay: holds the pipe and an IPv4/IPv6 socket (this process) */
static void test_relay_holds_net(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct stat st;
	int p[2], s;

	CHECK_INT(pipe(p), 0);
	CHECK_INT(fstat(p[0], &st), 0);
	CHECK(!vg_relay_holds_net((uint32_t)getpid(), st.st_ino)); /* no socket yet */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	CHECK_INT(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK(vg_relay_holds_net((uint32_t)getpid(), st.st_ino));
	CHECK(vg_relay_holds_net((uint32_t)getpid(), 0));
	CHECK(!vg_relay_holds_net((uint32_t)getpid(), st.st_ino + 1000000)); /* not its pipe */
	CHECK(!vg_relay_holds_net(0, 0));
	close(s);
	close(p[0]);
	close(p[1]);
}

/* mount sources resolved as the kernel looks them up */
static void test_mount_source(void)
{
	char dir[] = "/tmp/vigil-msrc-XXXXXX", link[128], buf[256];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(link, sizeof(link), "%s/cfg", dir);
	CHECK_INT(symlink("/etc", link), 0);
	CHECK(vg_mount_source_resolve(0, -100, NULL, link, true, buf, sizeof(buf)));
	CHECK_STR(buf, "/etc");
	/* relative: against the cwd given (pid 0 has no /proc entry) */
	CHECK(vg_mount_source_resolve(0, -100, dir, "cfg", true, buf, sizeof(buf)));
	CHECK_STR(buf, "/etc");
	CHECK(vg_mount_source_resolve(0, -100, dir, "cfg/../etc/./", true, buf, sizeof(buf)));
	CHECK_STR(buf, "/etc");
	/* AT_SYMLINK_NOFOLLOW: the link itself */
	CHECK(vg_mount_source_resolve(0, -100, NULL, link, false, buf, sizeof(buf)));
	CHECK_STR(buf, link);
	CHECK(!vg_mount_source_resolve(0, -100, NULL, "/nonexistent/x", true, buf, sizeof(buf)));
	CHECK(!vg_mount_source_resolve(0, -100, NULL, "relative", true, buf, sizeof(buf)));
	unlink(link);
	rmdir(dir);
}

static void test_mount_flags(void)
{
	char b[256];
	int64_t raw = 0;
	__u64 args[6] = { 0, 0, 0, 0x1000 | 0x4000, 0, 0 };

	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "mount", args, &raw), "MS_BIND|MS_REC");
	CHECK_INT(raw, 0x5000);
	args[3] = 0xc0ed0000u | 0x1000;	/* the old magic number is dropped */
	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "mount", args, &raw), "MS_BIND");
	args[2] = 1 | 0x8000;
	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "open_tree", args, &raw),
		  "OPEN_TREE_CLONE|AT_RECURSIVE");
	args[4] = 4 | 0x400;
	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "move_mount", args, &raw),
		  "MOVE_MOUNT_F_EMPTY_PATH|0x400");
	CHECK(vg_mount_call_flags(b, sizeof(b), "fsmount", args, &raw) == NULL);
}

int main(void)
{
	test_decoders();
	test_shell_lines();
	test_grep();
	test_grep_pattern_file();
	test_mount_flags();
	test_shell_reads_stdin();
	test_mount_source();
	test_relay_holds_net();
	return check_report();
}
