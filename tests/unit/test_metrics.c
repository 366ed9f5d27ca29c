/* The Prometheus rendering of the status report and the metrics.listen
 * address parser. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "metrics/metrics_http.h"
#include "metrics/prom.h"

static char *render(const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	char *text = NULL;
	size_t len = 0;
	int ret;

	CHECK(o != NULL);
	ret = vg_prom_render(o, &text, &len);
	json_object_put(o);
	CHECK_INT(ret, 0);
	CHECK_INT(len, text ? strlen(text) : 0);
	return text;
}

static void test_render(void)
{
	char *t = render("{\"monitor\": {\"uptime_s\": 12, \"pid\": 77, \"version\": \"1.0\","
			 " \"events_by_type\": {\"openat\": 5, \"execve\": 2},"
			 " \"drops\": {\"ring_full_by_cpu\": {\"cpu0\": 3}, \"malformed\": 0},"
			 " \"programs\": [\"a\", \"b\", \"c\"], \"ok\": true, \"load\": 0.5},"
			 " \"outputs\": {\"file:/x\": {\"sent\": 9, \"type\": \"file\"}},"
			 " \"odd\": {\"by_\": {\"we\\\"ird\\n\": 1}}}");

	CHECK(strstr(t, "# TYPE vigil_monitor_uptime_s gauge\nvigil_monitor_uptime_s 12\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_pid 77\n") != NULL);
	CHECK(strstr(t, "version") == NULL); /* strings are not figures */
	CHECK(strstr(t, "# TYPE vigil_monitor_events gauge\n"
			"vigil_monitor_events{type=\"openat\"} 5\n"
			"vigil_monitor_events{type=\"execve\"} 2\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_drops_ring_full{cpu=\"cpu0\"} 3\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_drops_malformed 0\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_programs_count 3\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_ok 1\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_load 0.5\n") != NULL);
	/* names keep [a-zA-Z0-9_] only */
	CHECK(strstr(t, "vigil_outputs_file__x_sent 9\n") != NULL);
	/* label values escaped; an empty base gets a name */
	CHECK(strstr(t, "vigil_odd_value{key=\"we\\\"ird\\n\"} 1\n") != NULL);
	free(t);

	/* not an object */
	struct json_object *a = json_object_new_array();
	char *text = (char *)1;
	size_t len = 1;

	CHECK_INT(vg_prom_render(a, &text, &len), -EINVAL);
	CHECK(text == NULL && len == 0);
	json_object_put(a);
}

/* One TYPE per family; a total and its breakdown in separate families. */
static void test_well_formed(void)
{
	char *t = render("{\"monitor\": {\"drops\": {\"ring_full\": 7,"
			 " \"ring_full_by_cpu\": {\"cpu0\": 3, \"cpu1\": 4}},"
			 " \"events_per_s\": 9, \"events_per_s_by_type\": {\"openat\": 9}},"
			 " \"rules\": {\"match_failures\": 2, \"match_failures_by_rule\": {\"r\": 2}}}");
	const char *p;
	int types = 0;

	CHECK(strstr(t, "# TYPE vigil_monitor_drops_ring_full gauge\n"
			"vigil_monitor_drops_ring_full 7\n") != NULL);
	CHECK(strstr(t, "# TYPE vigil_monitor_drops_ring_full_by_cpu gauge\n"
			"vigil_monitor_drops_ring_full_by_cpu{cpu=\"cpu0\"} 3\n") != NULL);
	CHECK(strstr(t, "vigil_monitor_events_per_s_by_type{type=\"openat\"} 9\n") != NULL);
	CHECK(strstr(t, "vigil_rules_match_failures_by_rule{rule=\"r\"} 2\n") != NULL);
	/* no family declared twice */
	for (p = t; (p = strstr(p, "# TYPE vigil_monitor_drops_ring_full gauge")); p++)
		types++;
	CHECK_INT(types, 1);
	CHECK(strstr(t, "vigil_monitor_drops_ring_full{") == NULL);
	free(t);
}

static void test_listen(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	CHECK_INT(vg_metrics_parse_listen("127.0.0.1:9376", &ss, &len, err, sizeof(err)), 0);
	CHECK_INT(ss.ss_family, AF_INET);
	CHECK_INT(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9376);
	CHECK_INT(vg_metrics_parse_listen("[::1]:80", &ss, &len, err, sizeof(err)), 0);
	CHECK_INT(ss.ss_family, AF_INET6);
	/* "on" is the Unix socket (vg_metrics_open), not a TCP address */
	CHECK_INT(vg_metrics_parse_listen("on", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_INT(vg_metrics_parse_listen("127.0.0.1:0", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "port") != NULL);
	CHECK_INT(vg_metrics_parse_listen("127.0.0.1:70000", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_INT(vg_metrics_parse_listen("localhost:80", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "IPv4 or IPv6") != NULL);
	CHECK_INT(vg_metrics_parse_listen("9376", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_INT(vg_metrics_parse_listen(":9376", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_INT(vg_metrics_parse_listen("1.2.3.4:", &ss, &len, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	test_render();
	test_well_formed();
	test_listen();
	return check_report();
}
